using System.Diagnostics;
using CreAspire.Execution.Contracts;
using CreAspire.Execution.Triggers;
using CreAspire.Protocol.Capabilities;
using CreAspire.Protocol.Sdk;
using CreAspire.Protocol.Telemetry;
using CreAspire.Protocol.Workflows;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Logging;

namespace CreAspire.Execution.Engine;

/// <summary>
/// One workflow's engine. Start: execute the module with a subscribe request, register each returned trigger
/// subscription with its trigger capability. Per trigger event: execution id = sha256(workflowId ‖ eventId), recorded
/// through the store (a duplicate event is skipped), executed with Trigger{id = subscription index, payload}.
/// </summary>
public sealed class WorkflowEngine : IWorkflowEngine
{
    private readonly IWorkflowModule _module;
    private readonly WorkflowEngineFactory _services;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<(ITriggerCapability Trigger, string TriggerId)> _registrations = [];
    private readonly SemaphoreSlim _lifecycle = new(1, 1);
    private bool _started;

    internal WorkflowEngine(EngineConfig config, IWorkflowModule module, WorkflowEngineFactory services)
    {
        Config = config;
        _module = module;
        _services = services;
        _logger = services.LoggerFactory.CreateLogger<WorkflowEngine>();
    }

    public EngineConfig Config { get; }

    /// <summary>The subscriptions the module returned at start.</summary>
    public IReadOnlyList<TriggerSubscription> Subscriptions { get; private set; } = [];

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await _lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_started)
            {
                throw new InvalidOperationException($"engine for workflow {Config.WorkflowId} is already started");
            }

            using var activity = ExecutionTelemetry.Source.StartActivity("workflow.subscribe");
            activity?.SetTag(TelemetryTags.WorkflowId, Config.WorkflowId).SetTag(TelemetryTags.WorkflowName, Config.WorkflowName)
                .SetTag(TelemetryTags.ExecutionPath, _module.ExecutionPath);
            var request = new ExecuteRequest { Config = ByteString.CopyFrom(Config.Config), Subscribe = new Empty(), MaxResponseSize = Config.MaxResponseSize };
            var subscribeId = WorkflowIds.ExecutionId(Config.WorkflowId, "subscribe");
            var result = await _module.ExecuteAsync(request, Context(subscribeId), cancellationToken).ConfigureAwait(false);
            if (result.ResultCase == ExecutionResult.ResultOneofCase.Error)
            {
                throw new InvalidOperationException($"engine initialization failed: workflow {Config.WorkflowId} answered subscribe with an error: {result.Error}");
            }

            if (result.ResultCase != ExecutionResult.ResultOneofCase.TriggerSubscriptions)
            {
                throw new InvalidOperationException(
                    $"engine initialization failed: workflow {Config.WorkflowId} answered subscribe with {result.ResultCase} instead of trigger subscriptions");
            }

            Subscriptions = result.TriggerSubscriptions.Subscriptions.ToArray();
            try
            {
                await RegisterAsync(cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await UnregisterAllAsync(CancellationToken.None).ConfigureAwait(false);
                throw;
            }

            _started = true;
            _logger.LogInformation("Workflow engine started for {WorkflowId} ({WorkflowName}) with {Count} trigger subscription(s)",
                Config.WorkflowId, Config.WorkflowName, Subscriptions.Count);
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    private async Task RegisterAsync(CancellationToken cancellationToken)
    {
        for (var i = 0; i < Subscriptions.Count; i++)
        {
            var subscription = Subscriptions[i];
            if (!_services.Triggers.TryGet(subscription.Id, out var trigger))
            {
                throw new InvalidOperationException(
                    $"engine initialization failed: workflow {Config.WorkflowId} subscribes to trigger '{subscription.Id}' which is not available on this node " +
                    $"(available: {string.Join(", ", _services.Triggers.Ids)})");
            }

            var index = i;
            var triggerId = TriggerRegistration.TriggerIdFor(Config.WorkflowId, index);
            await trigger.RegisterAsync(
                new TriggerRegistration(triggerId, Config.WorkflowId, index, subscription.Method, subscription.Payload,
                    (e, ct) => ExecuteAsync(index, e, ct)),
                cancellationToken).ConfigureAwait(false);
            _registrations.Add((trigger, triggerId));
        }
    }

    /// <summary>Executes the workflow for one event of subscription <paramref name="subscriptionIndex"/>; null when the event was a duplicate.</summary>
    public async Task<ExecutionRecord?> ExecuteAsync(int subscriptionIndex, TriggerEvent triggerEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(triggerEvent);
        var triggeredAt = Stopwatch.GetTimestamp();
        var executionId = WorkflowIds.ExecutionId(Config.WorkflowId, triggerEvent.EventId);
        var started = new ExecutionRecord(executionId, Config.WorkflowId, triggerEvent.TriggerId, triggerEvent.EventId,
            _services.TimeProvider.GetUtcNow(), ExecutionStatus.Started);
        if (!await _services.Store.TryStartAsync(started, cancellationToken).ConfigureAwait(false))
        {
            _logger.LogDebug("Skipping duplicate execution {ExecutionId} of workflow {WorkflowId}", executionId, Config.WorkflowId);
            if (Activity.Current is { } trigger && trigger.Source == ExecutionTelemetry.Source)
            {
                trigger.AddEvent(new ActivityEvent("duplicate execution skipped"));
            }

            return null;
        }

        var path = _module.ExecutionPath;
        using var activity = ExecutionTelemetry.StartExecutionSpan("workflow.execute", executionId);
        activity?.SetTag(TelemetryTags.WorkflowId, Config.WorkflowId)
            .SetTag(TelemetryTags.WorkflowName, Config.WorkflowName)
            .SetTag(TelemetryTags.ExecutionId, executionId)
            .SetTag(TelemetryTags.TriggerId, triggerEvent.TriggerId)
            .SetTag(TelemetryTags.ExecutionPath, path)
            .SetTag(TelemetryTags.DonId, Config.WorkflowDonId);

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
        var request = new ExecuteRequest
        {
            Config = ByteString.CopyFrom(Config.Config),
            Trigger = new Trigger { Id = (ulong)subscriptionIndex, Payload = triggerEvent.Payload },
            MaxResponseSize = Config.MaxResponseSize,
        };

        ExecutionStatus status;
        byte[]? resultBytes = null;
        string? error;
        Exception? failure = null;
        try
        {
            var result = await _module.ExecuteAsync(request, Context(executionId), linked.Token).ConfigureAwait(false);
            resultBytes = result.ToByteArray();
            error = result.ResultCase == ExecutionResult.ResultOneofCase.Error ? result.Error : null;
            status = error is null ? ExecutionStatus.Succeeded : ExecutionStatus.Failed;
        }
        catch (OperationCanceledException e) when (linked.IsCancellationRequested)
        {
            status = ExecutionStatus.Failed;
            error = _stopping.IsCancellationRequested ? "engine stopped during the execution" : "execution cancelled";
            failure = e;
        }
#pragma warning disable CA1031 // any module failure is recorded as a failed execution, never thrown into the trigger
        catch (Exception e)
#pragma warning restore CA1031
        {
            status = ExecutionStatus.Failed;
            error = $"{e.GetType().Name}: {e.Message}";
            failure = e;
        }

        var finishedAt = _services.TimeProvider.GetUtcNow();
        await _services.Store.FinishAsync(executionId, status, finishedAt, resultBytes, error, CancellationToken.None).ConfigureAwait(false);
        var outcome = status == ExecutionStatus.Succeeded ? "succeeded" : "failed";
        var tags = new TagList { { TelemetryTags.ExecutionPath, path }, { TelemetryTags.Outcome, outcome } };
        ExecutionTelemetry.Executions.Add(1, tags);
        ExecutionTelemetry.ExecutionDuration.Record(Stopwatch.GetElapsedTime(triggeredAt).TotalSeconds, tags);
        activity?.SetTag(TelemetryTags.Outcome, outcome);
        if (status == ExecutionStatus.Succeeded)
        {
            _logger.LogInformation("Workflow execution finished successfully: workflow {WorkflowId} execution {ExecutionId}", Config.WorkflowId, executionId);
        }
        else
        {
            if (failure is null)
            {
                activity.Fail(error);
            }
            else
            {
                activity.Fail(failure, error);
            }

            _logger.LogWarning("Workflow execution failed: workflow {WorkflowId} execution {ExecutionId}: {Error}", Config.WorkflowId, executionId, error);
        }

        return started with { Status = status, FinishedAt = finishedAt, Result = resultBytes, Error = error };
    }

    private ModuleExecutionContext Context(string executionId) => new(
        executionId,
        new CapabilityRequestMetadata
        {
            WorkflowId = Config.WorkflowId,
            WorkflowOwner = Config.WorkflowOwner,
            WorkflowName = Config.WorkflowName,
            WorkflowTag = Config.WorkflowTag,
            WorkflowExecutionId = executionId,
            WorkflowDonId = Config.WorkflowDonId,
        },
        _services.Capabilities,
        _services.Secrets,
        _logger)
    {
        Timeout = Config.ExecutionTimeout,
    };

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await UnregisterAllAsync(cancellationToken).ConfigureAwait(false);
            await _stopping.CancelAsync().ConfigureAwait(false);
            _started = false;
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    private async Task UnregisterAllAsync(CancellationToken cancellationToken)
    {
        foreach (var (trigger, triggerId) in _registrations)
        {
            await trigger.UnregisterAsync(triggerId, cancellationToken).ConfigureAwait(false);
        }

        _registrations.Clear();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        _stopping.Dispose();
        _lifecycle.Dispose();
    }
}
