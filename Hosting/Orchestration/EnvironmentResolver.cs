namespace CreAspire.Hosting.Orchestration;

/// <summary>Computes a process resource's environment at start: Aspire's OTEL_*, ASPNETCORE_URLS, endpoint ports, then annotations in order.</summary>
internal static class EnvironmentResolver
{
    public static async Task<Dictionary<string, string>> ResolveAsync(IResource resource, CancellationToken cancellationToken)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        var endpoints = resource.Annotations.OfType<EndpointAnnotation>().ToList();
        if (resource is ProjectResource)
        {
            environment["OTEL_SERVICE_NAME"] = resource.Name;
            environment["DOTNET_ENVIRONMENT"] = "Development";
            environment["ASPNETCORE_ENVIRONMENT"] = "Development";
            if (endpoints.Count > 0)
            {
                environment["ASPNETCORE_URLS"] = string.Join(';', endpoints.Select(e => e.Url.ToString().TrimEnd('/')));
            }
        }

        foreach (var endpoint in endpoints.Where(e => e.EnvironmentVariable is not null))
        {
            environment[endpoint.EnvironmentVariable!] = endpoint.AllocatedPort!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        var context = new EnvironmentCallbackContext(resource, environment, cancellationToken);
        foreach (var annotation in resource.Annotations)
        {
            switch (annotation)
            {
                case EnvironmentAnnotation fixedValue when fixedValue.Value() is { } value:
                    environment[fixedValue.Name] = value;
                    break;
                case EnvironmentCallbackAnnotation callback:
                    await callback.Callback(context).ConfigureAwait(false);
                    break;
            }
        }

        return environment;
    }

    public static IReadOnlyList<string> ResolveArgs(IResource resource) =>
        resource.Annotations.OfType<CommandLineArgsAnnotation>().SelectMany(a => a.Args()).ToList();
}
