using Microsoft.Extensions.Configuration;

namespace CreAspire.Hosting;

/// <summary>Declares the resources of a distributed app (Aspire's builder shape).</summary>
public interface IDistributedApplicationBuilder
{
    ConfigurationManager Configuration { get; }

    /// <summary>Relative project and executable paths are resolved against this folder.</summary>
    string AppHostDirectory { get; }

    DistributedApplicationOptions Options { get; }

    IReadOnlyList<IResource> Resources { get; }

    IResourceBuilder<T> AddResource<T>(T resource) where T : IResource;

    IResourceBuilder<T> CreateResourceBuilder<T>(T resource) where T : IResource;

    DistributedApplication Build();
}

/// <summary>Configures one resource; every With... call appends an annotation.</summary>
public interface IResourceBuilder<out T> where T : IResource
{
    IDistributedApplicationBuilder ApplicationBuilder { get; }

    T Resource { get; }

    IResourceBuilder<T> WithAnnotation(IResourceAnnotation annotation);
}

internal sealed class ResourceBuilder<T>(IDistributedApplicationBuilder applicationBuilder, T resource) : IResourceBuilder<T> where T : IResource
{
    public IDistributedApplicationBuilder ApplicationBuilder { get; } = applicationBuilder;

    public T Resource { get; } = resource;

    public IResourceBuilder<T> WithAnnotation(IResourceAnnotation annotation)
    {
        ArgumentNullException.ThrowIfNull(annotation);
        Resource.Annotations.Add(annotation);
        return this;
    }
}
