namespace CreAspire.Hosting.Orchestration;

/// <summary>Waits until every resource is healthy or finished; turns the first real failure into one clear exception.</summary>
internal sealed class StartupMonitor(ResourceNotificationService notifications, IReadOnlyList<ResourceSupervisor> supervisors, DistributedApplicationOptions options)
{
    public async Task WaitUntilSettledAsync(CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(options.DependencyTimeout + options.StartupTimeout);
        try
        {
            await foreach (var _ in notifications.WatchAsync(deadline.Token).ConfigureAwait(false))
            {
                var snapshots = notifications.GetSnapshots();
                if (snapshots.Any(s => s.State is KnownResourceStates.FailedToStart or KnownResourceStates.Exited))
                {
                    throw Failure(snapshots);
                }

                if (snapshots.All(s => KnownResourceStates.IsReady(s.State) || s.State is KnownResourceStates.Finished or KnownResourceStates.Unhealthy))
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            var pending = notifications.GetSnapshots().Where(s => !KnownResourceStates.IsReady(s.State) && s.State != KnownResourceStates.Finished);
            throw new DistributedApplicationException(
                $"The app did not start within {(options.DependencyTimeout + options.StartupTimeout).TotalSeconds:0} s; still pending: " +
                string.Join(", ", pending.Select(s => $"'{s.Name}' ({s.State})")) + ".");
        }
    }

    private DistributedApplicationException Failure(IReadOnlyList<ResourceSnapshot> snapshots)
    {
        // Prefer the resource that failed by itself over the dependents that merely could not start because of it.
        var root = supervisors.Select(s => s.RootFailure).FirstOrDefault(f => f is not null);
        if (root is not null)
        {
            return root;
        }

        var failed = snapshots.First(s => s.State is KnownResourceStates.FailedToStart or KnownResourceStates.Exited);
        return new DistributedApplicationException(failed.Message ?? $"The '{failed.Name}' resource is {failed.State}.");
    }
}
