using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace CreAspire.RelayNode.Connector;

/// <summary>Ready only while the node holds an authenticated gateway session (the relay is useless without one).</summary>
internal sealed class GatewayConnectionHealthCheck(GatewayConnector connector) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(connector.IsConnected
            ? HealthCheckResult.Healthy($"connected to the gateway ({connector.SessionCount} session(s) so far)")
            : HealthCheckResult.Unhealthy($"not connected to the gateway: {connector.LastError ?? "first dial pending"}"));
}
