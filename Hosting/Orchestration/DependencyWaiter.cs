namespace CreAspire.Hosting.Orchestration;

/// <summary>A dependency failed or timed out, so the waiting resource will not start (not a failure of its own).</summary>
internal sealed class DependencyFailedException(string message) : Exception(message);

/// <summary>Blocks a resource in Waiting until every WaitFor / WaitForCompletion target is ready, within the dependency deadline.</summary>
internal sealed class DependencyWaiter(RunContext context)
{
    public async Task WaitAsync(IResource resource, CancellationToken cancellationToken)
    {
        var waits = resource.Annotations.OfType<WaitAnnotation>().ToList();
        if (waits.Count == 0)
        {
            return;
        }

        await context.Notifications.PublishUpdateAsync(resource, s => s with { State = KnownResourceStates.Waiting }).ConfigureAwait(false);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(context.Options.DependencyTimeout);
        await Task.WhenAll(waits.Select(w => WaitForOneAsync(resource, w, deadline.Token, cancellationToken))).ConfigureAwait(false);
    }

    private async Task WaitForOneAsync(IResource resource, WaitAnnotation wait, CancellationToken deadline, CancellationToken stopping)
    {
        var target = wait.Resource.Name;
        var completion = wait.WaitType == WaitType.WaitForCompletion || wait.Resource is SetupResource;
        ResourceSnapshot snapshot;
        try
        {
            snapshot = await context.Notifications.WaitForResourceAsync(
                target,
                s => KnownResourceStates.IsTerminal(s.State) || (!completion && KnownResourceStates.IsReady(s.State)),
                completion ? "finish" : "become healthy",
                deadline).ConfigureAwait(false);
        }
        catch (DistributedApplicationException) when (deadline.IsCancellationRequested && !stopping.IsCancellationRequested)
        {
            var state = context.Notifications.GetSnapshot(target).State;
            throw new DependencyFailedException(
                $"The '{resource.Name}' resource gave up waiting for '{target}' to {(completion ? "finish" : "become healthy")} " +
                $"after {context.Options.DependencyTimeout.TotalSeconds:0} s (it is {state}).");
        }

        var succeeded = completion
            ? snapshot.State == KnownResourceStates.Finished && snapshot.ExitCode is null or 0
            : KnownResourceStates.IsReady(snapshot.State);
        if (!succeeded)
        {
            var reason = $"The '{resource.Name}' resource did not start because its dependency '{target}' is {snapshot.State}" +
                         ResourceNotificationService.Reason(snapshot);
            throw new DependencyFailedException(reason.TrimEnd('.') + ".");
        }
    }
}
