namespace CreAspire.Hosting;

/// <summary>Who depends on whom (waits, references, parents): start checks and the reverse stop order.</summary>
internal static class DependencyGraph
{
    public static IEnumerable<IResource> DependenciesOf(IResource resource)
    {
        var dependencies = resource.Annotations.OfType<WaitAnnotation>().Select(w => w.Resource)
            .Concat(resource.Annotations.OfType<ResourceReferenceAnnotation>().Select(r => r.Resource));
        if (resource is IResourceWithParent child)
        {
            dependencies = dependencies.Append(child.Parent);
        }

        return dependencies.Distinct();
    }

    public static void ThrowIfCyclic(IReadOnlyList<IResource> resources)
    {
        var done = new HashSet<IResource>();
        var path = new List<IResource>();
        foreach (var resource in resources)
        {
            Visit(resource, done, path);
        }
    }

    /// <summary>Groups of resources to stop together: dependents first, their dependencies after.</summary>
    public static IReadOnlyList<IReadOnlyList<IResource>> StopOrder(IReadOnlyList<IResource> resources)
    {
        var depth = new Dictionary<IResource, int>();
        foreach (var resource in resources)
        {
            Depth(resource, depth);
        }

        return depth.Where(d => resources.Contains(d.Key)).GroupBy(d => d.Value).OrderByDescending(g => g.Key)
            .Select(g => (IReadOnlyList<IResource>)g.Select(d => d.Key).ToList()).ToList();
    }

    private static int Depth(IResource resource, Dictionary<IResource, int> depth)
    {
        if (depth.TryGetValue(resource, out var known))
        {
            return known;
        }

        var value = DependenciesOf(resource).Select(d => Depth(d, depth) + 1).DefaultIfEmpty(0).Max();
        depth[resource] = value;
        return value;
    }

    private static void Visit(IResource resource, HashSet<IResource> done, List<IResource> path)
    {
        if (done.Contains(resource))
        {
            return;
        }

        if (path.Contains(resource))
        {
            var cycle = string.Join(" -> ", path.SkipWhile(r => r != resource).Append(resource).Select(r => $"'{r.Name}'"));
            throw new DistributedApplicationException($"The resources form a dependency cycle: {cycle}.");
        }

        path.Add(resource);
        foreach (var dependency in DependenciesOf(resource))
        {
            Visit(dependency, done, path);
        }

        path.RemoveAt(path.Count - 1);
        done.Add(resource);
    }
}
