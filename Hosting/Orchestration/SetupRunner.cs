namespace CreAspire.Hosting.Orchestration;

/// <summary>Runs a one-shot in-process step; <see cref="Completion"/> is 0 on success or faults with a sentence naming the step.</summary>
internal sealed class SetupRunner(SetupResource resource, RunContext context) : ResourceRunner(resource, context)
{
    private readonly CancellationTokenSource _cancel = new();
    private Task<int>? _completion;

    public override Task<int>? Completion => _completion;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        var setupContext = new SetupContext(resource, Context.Model, Context.RunDirectory, line => Context.Log(resource, line));
        _completion = RunAsync(setupContext, CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _cancel.Token).Token);
        return Task.CompletedTask;
    }

    public override Task StopAsync() => _cancel.CancelAsync();

    private async Task<int> RunAsync(SetupContext setupContext, CancellationToken cancellationToken)
    {
        try
        {
            await resource.Run(setupContext, cancellationToken).WaitAsync(Context.Options.StartupTimeout, cancellationToken).ConfigureAwait(false);
            Context.Log(resource, $"Finished; outputs: {string.Join(", ", resource.Outputs.Select(o => $"{o.Key}={o.Value}"))}");
            return 0;
        }
        catch (TimeoutException ex)
        {
            throw new DistributedApplicationException(
                $"The '{resource.Name}' resource failed: it did not finish within {Context.Options.StartupTimeout.TotalSeconds:0} s.", ex);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Context.Log(resource, ex.ToString(), isError: true);
            throw new DistributedApplicationException($"The '{resource.Name}' resource failed: {ex.Message}", ex);
        }
    }
}
