using System.Diagnostics;

namespace CreAspire.Hosting.ApplicationModel;

/// <summary>Anything the app model runs or exposes: a name plus the annotations that configure it.</summary>
public interface IResource
{
    string Name { get; }

    ResourceAnnotationCollection Annotations { get; }
}

/// <summary>A resource whose process receives environment variables.</summary>
public interface IResourceWithEnvironment : IResource;

/// <summary>A resource whose process receives command-line arguments.</summary>
public interface IResourceWithArgs : IResource;

/// <summary>A resource that listens on endpoints (allocated loopback ports).</summary>
public interface IResourceWithEndpoints : IResource;

/// <summary>A resource that can wait for other resources before it starts.</summary>
public interface IResourceWithWaitSupport : IResource;

/// <summary>A resource with a parent (e.g. a database inside a server); its state is shown under the parent.</summary>
public interface IResourceWithParent : IResource
{
    IResource Parent { get; }
}

/// <summary>A resource that other resources reach through a connection string (<c>ConnectionStrings__name</c>).</summary>
public interface IResourceWithConnectionString : IResource
{
    /// <summary>The connection string; valid once the app has allocated the endpoints.</summary>
    string GetConnectionString();
}

/// <summary>Base class of every resource: a validated name and its annotations.</summary>
[DebuggerDisplay("{GetType().Name,nq} {Name}")]
public abstract class Resource : IResource
{
    protected Resource(string name)
    {
        ResourceNames.Validate(name);
        Name = name;
    }

    public string Name { get; }

    public ResourceAnnotationCollection Annotations { get; } = [];

    public override string ToString() => Name;
}

/// <summary>Marker base of every annotation.</summary>
public interface IResourceAnnotation;

/// <summary>The ordered annotations of one resource.</summary>
public sealed class ResourceAnnotationCollection : List<IResourceAnnotation>;

/// <summary>Resource name rules (lower-case letters, digits and hyphens, starting with a letter).</summary>
public static class ResourceNames
{
    public static void Validate(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (!char.IsAsciiLetter(name[0]) || name.Any(c => !(char.IsAsciiLetterOrDigit(c) || c == '-' || c == '_')))
        {
            throw new ArgumentException(
                $"Resource name '{name}' is invalid: use ASCII letters, digits, '-' and '_', starting with a letter.", nameof(name));
        }
    }
}
