using System.Reflection;
using System.Xml.Linq;

namespace CreAspire.Hosting.Orchestration;

/// <summary>Finds a project's built assembly: bin/&lt;Configuration&gt;/net10.0/&lt;AssemblyName&gt;.dll next to the .csproj.</summary>
internal static class ProjectLocator
{
    public const string TargetFramework = "net10.0";

    /// <summary>The configuration the host itself was built in (Debug or Release): services are expected alongside.</summary>
    public static string Configuration { get; } =
        Assembly.GetEntryAssembly()?.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration is { Length: > 0 } c ? c : "Debug";

    public static string ResolveProjectPath(string projectDirectoryOrCsproj, string appHostDirectory)
    {
        var path = Path.GetFullPath(projectDirectoryOrCsproj, appHostDirectory);
        if (File.Exists(path) && path.EndsWith(".csproj", StringComparison.OrdinalIgnoreCase))
        {
            return path;
        }

        if (Directory.Exists(path))
        {
            var projects = Directory.GetFiles(path, "*.csproj");
            if (projects.Length == 1)
            {
                return projects[0];
            }

            throw new DistributedApplicationException(projects.Length == 0
                ? $"The folder '{path}' holds no .csproj; pass the project folder or the .csproj path."
                : $"The folder '{path}' holds {projects.Length} projects; pass the .csproj path.");
        }

        throw new DistributedApplicationException($"The project '{path}' does not exist (resolved against '{appHostDirectory}').");
    }

    public static string FindBuiltAssembly(ProjectResource resource)
    {
        var projectDirectory = Path.GetDirectoryName(resource.ProjectPath)!;
        var assemblyName = AssemblyName(resource.ProjectPath);
        var configurations = new[] { Configuration, "Debug", "Release" }.Distinct();
        var candidates = configurations
            .Select(c => Path.Combine(projectDirectory, "bin", c, TargetFramework, assemblyName + ".dll"))
            .ToList();
        return candidates.FirstOrDefault(File.Exists)
            ?? throw new DistributedApplicationException(
                $"The '{resource.Name}' project has not been built: '{candidates[0]}' does not exist. " +
                $"Build it first: dotnet build \"{resource.ProjectPath}\" -c {Configuration}.");
    }

    private static string AssemblyName(string projectPath)
    {
        var declared = XDocument.Load(projectPath).Descendants("AssemblyName").Select(e => e.Value.Trim()).FirstOrDefault(v => v.Length > 0);
        return declared ?? Path.GetFileNameWithoutExtension(projectPath);
    }
}
