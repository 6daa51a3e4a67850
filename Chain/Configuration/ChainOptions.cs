using System.ComponentModel.DataAnnotations;
using CreAspire.Chain.Registries;
using Microsoft.Extensions.Configuration;

namespace CreAspire.Chain.Configuration;

/// <summary>
/// Where the chain and the registries are: <c>ConnectionStrings:chain</c> (RPC URL), <c>Chain:ChainId</c>,
/// <c>Chain:WorkflowRegistry</c>, <c>Chain:CapabilitiesRegistry</c> (the AppHost sets them as environment variables).
/// </summary>
public sealed class ChainOptions : IValidatableObject
{
    public const string SectionName = "Chain";
    public const string ConnectionName = "chain";

    /// <summary>JSON-RPC URL, from ConnectionStrings:chain.</summary>
    public string RpcUrl { get; set; } = "";

    public ulong ChainId { get; set; } = 1337;

    public string WorkflowRegistry { get; set; } = "";

    public string CapabilitiesRegistry { get; set; } = "";

    /// <summary>How long a cached topology snapshot is served before the registry is read again.</summary>
    public TimeSpan TopologyRefreshInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Binds the Chain section plus ConnectionStrings:chain.</summary>
    public static void Bind(ChainOptions options, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(configuration);
        configuration.GetSection(SectionName).Bind(options);
        if (configuration.GetConnectionString(ConnectionName) is { Length: > 0 } url)
        {
            options.RpcUrl = url;
        }
    }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Uri.TryCreate(RpcUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            yield return new ValidationResult(
                $"ConnectionStrings:chain = '{RpcUrl}' is not an http(s) JSON-RPC URL; set ConnectionStrings__chain (e.g. http://127.0.0.1:8545).", [nameof(RpcUrl)]);
        }

        if (TopologyRefreshInterval <= TimeSpan.Zero)
        {
            yield return new ValidationResult("Chain:TopologyRefreshInterval must be positive (e.g. 00:00:02).", [nameof(TopologyRefreshInterval)]);
        }
    }

    /// <summary>Throws when an address needed by a component is missing or malformed.</summary>
    public static string RequireAddress(string value, string key) => ChainAddresses.IsAddress(value)
        ? value.ToLowerInvariant()
        : throw new InvalidOperationException(
            $"Chain:{key} = '{value}' is not a 0x contract address; set Chain__{key} to the address the 'contracts' setup deployed.");
}
