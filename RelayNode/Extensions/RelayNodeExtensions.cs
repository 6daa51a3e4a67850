using CreAspire.Protocol.Capabilities;
using CreAspire.Protocol.Identity;
using CreAspire.RelayNode.Connector;
using CreAspire.RelayNode.Relay;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace CreAspire.RelayNode.Extensions;

public static partial class RelayNodeExtensions
{
    /// <summary>
    /// Relay node services: identity (Node:Name/Node:Seed), Relay and Attestation options, the capability registry the
    /// launcher fills (an <see cref="ICapabilityRegistry"/> registered before this call wins), the attestation verifier
    /// (one registered before this call wins; else the Nitro verifier when Attestation:CaRootsPem and Attestation:TrustedPcrs are set;
    /// else TrustAll when Attestation:TrustEnclaves=true; else fail-closed), the
    /// request handler and the gateway connector.
    /// </summary>
    public static TBuilder AddRelayNode<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var configuration = builder.Configuration;
        services.AddOptions<RelayOptions>().Bind(configuration.GetSection(RelayOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<AttestationTrustOptions>().Bind(configuration.GetSection(AttestationTrustOptions.SectionName));
        services.AddOptions<GatewayConnectorOptions>()
            .Bind(configuration.GetSection(GatewayConnectorOptions.SectionName))
            .PostConfigure<IOptions<RelayOptions>>((connector, relay) =>
            {
                connector.GatewayUrl ??= Uri.TryCreate(configuration["services:gateway:http:0"], UriKind.Absolute, out var url) ? url : null;
                if (string.IsNullOrEmpty(connector.DonId))
                {
                    connector.DonId = relay.Value.DonId.ToString(System.Globalization.CultureInfo.InvariantCulture);
                }
            })
            .Validate(o => o.GatewayUrl is not null, "Set GatewayConnector:GatewayUrl or services:gateway:http:0 (the AppHost's reference to the gateway).")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(_ => NodeIdentity.FromConfiguration(configuration));
        services.TryAddSingleton<ICapabilityRegistry, CapabilityRegistry>();
        services.TryAddSingleton<IEnclaveAttestationVerifier>(sp => CreateDefaultVerifier(sp));
        services.AddSingleton<RelayRequestHandler>();
        services.TryAddSingleton<IGatewayRequestHandler>(sp => sp.GetRequiredService<RelayRequestHandler>());
        services.AddSingleton(sp => new GatewayConnector(
            sp.GetRequiredService<IOptions<GatewayConnectorOptions>>().Value,
            sp.GetRequiredService<NodeIdentity>(),
            sp.GetRequiredService<IGatewayRequestHandler>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<GatewayConnector>>()));
        services.AddHostedService<GatewayConnectorService>();
        services.AddHealthChecks().AddCheck<GatewayConnectionHealthCheck>("gateway-connection");
        return builder;
    }

    private static IEnclaveAttestationVerifier CreateDefaultVerifier(IServiceProvider services)
    {
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(RelayNodeExtensions));
        var trust = services.GetRequiredService<IOptions<AttestationTrustOptions>>().Value;
        if (!string.IsNullOrWhiteSpace(trust.CaRootsPem) && !string.IsNullOrWhiteSpace(trust.TrustedPcrs))
        {
            return NitroEnclaveAttestationVerifier.FromOptions(trust, services.GetRequiredService<TimeProvider>());
        }

        if (trust.TrustEnclaves)
        {
            LogTrustingEnclaves(logger);
            return new TrustAllAttestationVerifier();
        }

        LogNoVerifier(logger);
        return new UnconfiguredAttestationVerifier();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Attestation:TrustEnclaves is true: enclave attestations are NOT verified (test setups only)")]
    private static partial void LogTrustingEnclaves(ILogger logger);

    [LoggerMessage(Level = LogLevel.Error, Message = "No IEnclaveAttestationVerifier is registered: every relay request will be refused until one is")]
    private static partial void LogNoVerifier(ILogger logger);
}
