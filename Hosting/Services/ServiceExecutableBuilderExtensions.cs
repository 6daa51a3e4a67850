using System.Reflection;
using System.Xml.Linq;
using Aspire.Hosting.ApplicationModel;
using CreAspire.Hosting.Run;
using CreAspire.Hosting.Services;
using Microsoft.Extensions.DependencyInjection;

namespace Aspire.Hosting;

/// <summary>AddServiceExecutable: a service project started from its build output (see <see cref="ServiceExecutableResource"/>).</summary>
public static class ServiceExecutableBuilderExtensions
{
    public const string TargetFramework = "net10.0";

    /// <summary>The gen0 allocation budget every service runs with (DOTNET_GCgen0size, hexadecimal bytes: 2 MiB).</summary>
    public const string Gen0Budget = "0x200000";

    /// <summary>Adds <typeparamref name="TProject"/> (a project referenced by the AppHost) on 127.0.0.1:<paramref name="port"/> (or a free port), healthy when /health answers 200.</summary>
    public static IResourceBuilder<ServiceExecutableResource> AddServiceExecutable<TProject>(
        this IDistributedApplicationBuilder builder, [ResourceName] string name, int? port = null)
        where TProject : IProjectMetadata, new()
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddServiceExecutable(name, new TProject().ProjectPath, port);
    }

    /// <summary>Adds the project at <paramref name="projectPath"/> (a .csproj) run from its build output.</summary>
    public static IResourceBuilder<ServiceExecutableResource> AddServiceExecutable(
        this IDistributedApplicationBuilder builder, [ResourceName] string name, string projectPath, int? port = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(projectPath);
        var project = Path.GetFullPath(projectPath, builder.AppHostDirectory);
        var output = BuildOutput.Of(project, builder.AppHostAssembly);
        var chosenPort = port ?? FreePorts.Next();
        var resource = new ServiceExecutableResource(name, output.Command, output.Directory, project);
        var key = $"{name}_http_health_check";
        builder.Services.AddHealthChecks().Add(new(key, _ => new ServiceHealthCheck(resource, new Uri($"http://127.0.0.1:{chosenPort}/health")), failureStatus: null, tags: null));
        builder.Eventing.Subscribe<BeforeResourceStartedEvent>(resource, (_, _) => output.EnsureBuilt(name));
        return builder.AddResource(resource)
            .WithInitialState(new CustomResourceSnapshot
            {
                ResourceType = "Project",
                Properties = [new ResourcePropertySnapshot(CustomResourceKnownProperties.Source, project)],
            })
            .WithArgs(output.Arguments)
            .WithHttpEndpoint(port: chosenPort, targetPort: chosenPort, name: ServiceExecutableResource.PrimaryEndpointName, isProxied: false)
            .WithEnvironment("ASPNETCORE_URLS", "http://127.0.0.1:" + chosenPort.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .WithOtlpExporter()
            // What AddProject sets besides OTLP (Aspire's own defaults for .NET projects).
            .WithEnvironment("OTEL_DOTNET_EXPERIMENTAL_OTLP_RETRY", "in_memory")
            .WithEnvironment("OTEL_DOTNET_EXPERIMENTAL_ASPNETCORE_DISABLE_URL_QUERY_REDACTION", "true")
            .WithEnvironment("OTEL_DOTNET_EXPERIMENTAL_HTTPCLIENT_DISABLE_URL_QUERY_REDACTION", "true")
            .WithEnvironment("LOGGING__CONSOLE__FORMATTERNAME", "simple")
            .WithEnvironment("DOTNET_SYSTEM_CONSOLE_ALLOW_ANSI_COLOR_REDIRECTION", "true")
            .WithEnvironment("ASPNETCORE_ENVIRONMENT", "Development")
            // A 2 MiB gen0 budget (workstation GC sizes it from the CPU cache, several MiB here): an idle service keeps less
            // dead young garbage committed. -90 MiB Pss over the default topology's 14 services (bench/Startup, 2026-12-03);
            // the runtime reads this knob from the environment only (it has no runtimeconfig.json name).
            .WithEnvironment("DOTNET_GCgen0size", Gen0Budget)
            .WithHealthCheck(key)
            .WithIconName("CodeCircle");
    }

    /// <summary>The variable a service reads its multicore JIT profile path from (ServiceDefaults' JitProfile).</summary>
    public const string JitProfileVariable = "CREASPIRE_JIT_PROFILE";

    /// <summary>
    /// Locally (run mode, not in a published manifest) the service plays back and records a multicore JIT profile at
    /// &lt;build output&gt;/jit-profiles/&lt;resource name&gt;.jitprofile: what its last run JIT-compiled is compiled on a
    /// background thread from the start instead of on first use (see ServiceDefaults' JitProfile for the measurements).
    /// </summary>
    public static IResourceBuilder<ServiceExecutableResource> WithJitProfile(this IResourceBuilder<ServiceExecutableResource> builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var path = Path.Combine(builder.Resource.WorkingDirectory, "jit-profiles", builder.Resource.Name + ".jitprofile");
        return builder.WithEnvironment(context =>
        {
            if (context.ExecutionContext.IsRunMode)
            {
                context.EnvironmentVariables[JitProfileVariable] = path;
            }
        });
    }

    /// <summary>
    /// In the published manifest the service is the .NET project it is built from (project.v0 with its environment and
    /// bindings), as AddProject writes it, so a deployment tool can build and containerize it; locally it stays an executable.
    /// </summary>
    public static IResourceBuilder<ServiceExecutableResource> WithProjectManifest(this IResourceBuilder<ServiceExecutableResource> builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var resource = builder.Resource;
        return builder.WithManifestPublishingCallback(async context =>
        {
            context.Writer.WriteString("type", "project.v0");
            context.Writer.WriteString("path", context.GetManifestRelativePath(resource.ProjectPath));
            await context.WriteEnvironmentVariablesAsync(resource).ConfigureAwait(false);
            context.WriteBindings(resource);
        });
    }

    /// <summary>Where a built project's executable is: bin/&lt;the AppHost's configuration&gt;/net10.0/&lt;AssemblyName&gt;.</summary>
    private sealed record BuildOutput(string Command, string[] Arguments, string Directory, string ProjectPath)
    {
        public static BuildOutput Of(string projectPath, Assembly? appHostAssembly)
        {
            var configuration = appHostAssembly?.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration is { Length: > 0 } c ? c : "Debug";
            var assemblyName = File.Exists(projectPath)
                ? XDocument.Load(projectPath).Descendants("AssemblyName").Select(e => e.Value.Trim()).FirstOrDefault(v => v.Length > 0)
                : null;
            assemblyName ??= Path.GetFileNameWithoutExtension(projectPath);
            var directory = Path.Combine(Path.GetDirectoryName(projectPath)!, "bin", configuration, TargetFramework);
            var apphost = Path.Combine(directory, OperatingSystem.IsWindows() ? assemblyName + ".exe" : assemblyName);
            return File.Exists(apphost) || !File.Exists(Path.Combine(directory, assemblyName + ".dll"))
                ? new BuildOutput(apphost, [], directory, projectPath)
                : new BuildOutput("dotnet", [Path.Combine(directory, assemblyName + ".dll")], directory, projectPath);
        }

        public Task EnsureBuilt(string resourceName)
        {
            var file = Arguments.Length > 0 ? Arguments[0] : Command;
            return File.Exists(file)
                ? Task.CompletedTask
                : throw new DistributedApplicationException(
                    $"The '{resourceName}' service has not been built: '{file}' does not exist. Build it first: dotnet build \"{ProjectPath}\".");
        }
    }
}
