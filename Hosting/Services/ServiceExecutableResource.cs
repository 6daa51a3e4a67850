namespace Aspire.Hosting.ApplicationModel;

/// <summary>
/// A .NET service project run from its build output (the apphost executable next to its dll), not through <c>dotnet run</c>:
/// with fourteen services on two cores the <c>dotnet run</c> wrapper AddProject starts per project (~140 MiB and a second
/// of CPU each) doubled memory and start-up time. It gets what AddProject gives: OTLP and service-discovery environment,
/// an http endpoint, a health check, and the Project type in the dashboard.
/// </summary>
public sealed class ServiceExecutableResource(string name, string command, string workingDirectory, string projectPath)
    : ExecutableResource(name, command, workingDirectory), IResourceWithServiceDiscovery
{
    internal const string PrimaryEndpointName = "http";

    private EndpointReference? _primaryEndpoint;

    /// <summary>The .csproj this service is built from.</summary>
    public string ProjectPath { get; } = projectPath;

    public EndpointReference PrimaryEndpoint => _primaryEndpoint ??= new(this, PrimaryEndpointName);
}
