using System.Text.Json;
using CreAspire.Protocol.JsonRpc;
using CreAspire.Protocol.Relay;
using CreAspire.Protocol.Sdk;
using CreAspire.RelayNode.Relay;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace CreAspire.RelayNode.Faults;

/// <summary>
/// A byzantine relay on demand, to see what the gateway's 2F+1 vote does with it (the fault tests, or a developer trying a
/// workflow against a lying relay). While switched on, every request this node handles successfully is answered with a
/// well-formed but wrong result: the same wrong result on every faulty node, as colluding nodes would send. Refusals and
/// errors stay as they are. Present only when Faults:Enabled is true; each switch is logged as a warning.
/// </summary>
public sealed partial class WrongAnswers(ILogger<WrongAnswers> logger)
{
    public const string SectionName = "Faults";

    /// <summary>The text of the wrong capability result.</summary>
    public const string WrongResult = "wrong answer from a faulty relay node";

    private volatile bool _on;

    public bool IsOn => _on;

    public void Set(bool on)
    {
        _on = on;
        LogSwitched(on);
    }

    /// <summary>The wrong twin of a successful result: other secrets ciphertexts, or another capability payload.</summary>
    public static JsonElement Corrupt(string? method, JsonElement result)
    {
        switch (method)
        {
            case RelayMethods.SecretsGet:
                var secrets = result.Deserialize<SecretsResponseResult>(RelayJson.Options)!;
                return JsonSerializer.SerializeToElement(
                    new SecretsResponseResult([.. secrets.Secrets.Select(s => s with { Ciphertext = Invert(s.Ciphertext) })]), RelayJson.Options);
            case RelayMethods.CapabilityExecute:
                var wrong = new CapabilityResponse { Payload = Any.Pack(new StringValue { Value = WrongResult }) };
                return JsonSerializer.SerializeToElement(new CapabilityResponseResult { Payload = Convert.ToBase64String(wrong.ToByteArray()) }, RelayJson.Options);
            default:
                return JsonSerializer.SerializeToElement(new { wrong = WrongResult }, RelayJson.Options);
        }
    }

    private static string Invert(string base64)
    {
        var bytes = Convert.FromBase64String(base64);
        for (var i = 0; i < bytes.Length; i++)
        {
            bytes[i] ^= 0xFF;
        }

        return Convert.ToBase64String(bytes);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Fault injection: this relay node's answers are now {State}")]
    private partial void LogSwitchedCore(string state);

    private void LogSwitched(bool on) => LogSwitchedCore(on ? "WRONG (every successful result is replaced)" : "honest again");
}

/// <summary>The relay's real handler with <see cref="WrongAnswers"/> applied to its successful answers.</summary>
public sealed class WrongAnswerHandler(RelayRequestHandler honest, WrongAnswers faults) : IGatewayRequestHandler
{
    public async Task<JsonRpcResponse> HandleAsync(JsonRpcRequest request, CancellationToken cancellationToken)
    {
        var response = await honest.HandleAsync(request, cancellationToken).ConfigureAwait(false);
        return faults.IsOn && response.Error is null && response.Result is { } result
            ? response with { Result = WrongAnswers.Corrupt(response.Method ?? request.Method, result) }
            : response;
    }
}

public static class WrongAnswersExtensions
{
    /// <summary>With Faults:Enabled = true: the wrong-answer switch and its handler (call before AddRelayNode, whose handler it wraps).</summary>
    public static TBuilder AddRelayFaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (Enabled(builder.Configuration))
        {
            builder.Services.AddSingleton<WrongAnswers>();
            builder.Services.TryAddSingleton<IGatewayRequestHandler>(sp =>
                new WrongAnswerHandler(sp.GetRequiredService<RelayRequestHandler>(), sp.GetRequiredService<WrongAnswers>()));
        }

        return builder;
    }

    /// <summary>POST /faults/wrong-answers?enabled=true|false, when Faults:Enabled is true.</summary>
    public static IEndpointRouteBuilder MapRelayFaults(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (app.ServiceProvider.GetService<WrongAnswers>() is null)
        {
            return app;
        }

        app.MapPost("/faults/wrong-answers", (bool enabled, WrongAnswers faults) =>
        {
            faults.Set(enabled);
            return Results.Ok(new { wrongAnswers = enabled });
        });
        return app;
    }

    private static bool Enabled(IConfiguration configuration) =>
        bool.TryParse(configuration[$"{WrongAnswers.SectionName}:Enabled"], out var enabled) && enabled;
}
