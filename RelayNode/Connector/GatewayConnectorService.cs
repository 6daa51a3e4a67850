namespace CreAspire.RelayNode.Connector;

/// <summary>Runs the <see cref="GatewayConnector"/> for the lifetime of the host.</summary>
public sealed class GatewayConnectorService(GatewayConnector connector) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => connector.RunAsync(stoppingToken);
}
