using CreAspire.RelayNode.Relay;

namespace CreAspire.RelayNode.Connector;

/// <summary>
/// Runs the <see cref="GatewayConnector"/> for the lifetime of the host. Before it connects (so before the gateway sends
/// any request), the attestation verifier is created and warmed up: its first use used to be inside the first
/// confidential execution.
/// </summary>
public sealed class GatewayConnectorService(GatewayConnector connector, IEnclaveAttestationVerifier verifier) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        (verifier as NitroEnclaveAttestationVerifier)?.WarmUp();
        return connector.RunAsync(stoppingToken);
    }
}
