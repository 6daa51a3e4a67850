using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using CreAspire.Execution.Engine;
using CreAspire.Protocol.Capabilities;
using CreAspire.Protocol.Cron;
using CreAspire.Protocol.Telemetry;
using CreAspire.Protocol.Workflows;
using Cronos;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CreAspire.Execution.Triggers;

/// <summary>
/// cron-trigger@1.0.0: fires each registration at its 6-field (seconds-first) UTC schedule, driven by the injected
/// <see cref="TimeProvider"/>. Payload: cron.v1.Payload{scheduled_execution_time}. Event id:
/// "&lt;triggerId&gt;@&lt;scheduled time, yyyy-MM-ddTHH:mm:ss.fffZ&gt;", so every node derives the same execution id for a tick.
/// Events of one registration are delivered one after another.
/// </summary>
public sealed class CronTrigger : ITriggerCapability, IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Schedule> _schedules = new(StringComparer.Ordinal);
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;

    public CronTrigger(TimeProvider? timeProvider = null, ILogger<CronTrigger>? logger = null)
    {
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger<CronTrigger>.Instance;
    }

    public string Id => CapabilityIds.CronTrigger;

    /// <summary>Trigger ids currently registered.</summary>
    public IReadOnlyCollection<string> TriggerIds => _schedules.Keys.Order(StringComparer.Ordinal).ToArray();

    public Task RegisterAsync(TriggerRegistration registration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(registration);
        var expression = ParseSchedule(registration);
        var schedule = new Schedule(registration, expression, new CancellationTokenSource(), _timeProvider.GetUtcNow());
        if (!_schedules.TryAdd(registration.TriggerId, schedule))
        {
            schedule.Stop.Dispose();
            throw new InvalidOperationException($"trigger id '{registration.TriggerId}' is already registered with {Id}");
        }

        schedule.Loop = Task.Run(() => RunAsync(schedule), CancellationToken.None);
        _logger.LogInformation("Cron trigger {TriggerId} registered for workflow {WorkflowId} with schedule '{Schedule}'",
            registration.TriggerId, registration.WorkflowId, expression.ToString());
        return Task.CompletedTask;
    }

    public async Task UnregisterAsync(string triggerId, CancellationToken cancellationToken)
    {
        if (_schedules.TryRemove(triggerId, out var schedule))
        {
            await schedule.Stop.CancelAsync().ConfigureAwait(false);
            await (schedule.Loop ?? Task.CompletedTask).WaitAsync(cancellationToken).ConfigureAwait(false);
            schedule.Stop.Dispose();
        }
    }

    /// <summary>
    /// Fires every cron subscription of <paramref name="workflowId"/> now, as if scheduled at <paramref name="scheduledTime"/>
    /// (pass the same time to every node to get identical execution ids). Returns how many subscriptions fired; throws
    /// when the workflow has none on this node.
    /// </summary>
    public async Task<int> FireNowAsync(string workflowId, DateTimeOffset scheduledTime, CancellationToken cancellationToken = default)
    {
        var matching = _schedules.Values.Where(s => s.Registration.WorkflowId == workflowId)
            .OrderBy(s => s.Registration.SubscriptionIndex).ToArray();
        if (matching.Length == 0)
        {
            throw new InvalidOperationException(
                $"workflow '{workflowId}' has no {Id} subscription on this node (registered: {(_schedules.IsEmpty ? "none" : string.Join(", ", TriggerIds))}); start its engine first");
        }

        foreach (var schedule in matching)
        {
            await FireAsync(schedule.Registration, scheduledTime, cancellationToken).ConfigureAwait(false);
        }

        return matching.Length;
    }

    /// <summary>The event for a registration's tick (also what every other node derives for it).</summary>
    public static TriggerEvent EventFor(string triggerId, DateTimeOffset scheduledTime)
    {
        var utc = scheduledTime.ToUniversalTime();
        var payload = new Payload { ScheduledExecutionTime = Timestamp.FromDateTimeOffset(utc) };
        var eventId = $"{triggerId}@{utc.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)}";
        return new TriggerEvent(triggerId, eventId, Any.Pack(payload));
    }

    private async Task RunAsync(Schedule schedule)
    {
        var token = schedule.Stop.Token;
        var after = schedule.RegisteredAt;
        while (!token.IsCancellationRequested)
        {
            var next = schedule.Expression.GetNextOccurrence(after, TimeZoneInfo.Utc);
            if (next is null)
            {
                return;
            }

            try
            {
                var delay = next.Value - _timeProvider.GetUtcNow();
                if (delay > TimeSpan.Zero)
                {
                    await Task.Delay(delay, _timeProvider, token).ConfigureAwait(false);
                }

                await FireAsync(schedule.Registration, next.Value, token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // a failing workflow must not stop its schedule
            catch (Exception e)
#pragma warning restore CA1031
            {
                _logger.LogError(e, "Cron trigger {TriggerId} tick {Scheduled:O} failed", schedule.Registration.TriggerId, next.Value);
            }

            // Skip ticks missed while the previous one ran, rather than firing a burst.
            var now = _timeProvider.GetUtcNow();
            after = next.Value > now ? next.Value : now;
        }
    }

    /// <summary>
    /// Delivers one tick. Its span, cron.fire, is the root of the execution's trace on this node (see
    /// <see cref="ExecutionTelemetry.StartExecutionSpan"/>), so every node's tick of the same schedule lands in one trace.
    /// </summary>
    private async Task FireAsync(TriggerRegistration registration, DateTimeOffset scheduledTime, CancellationToken cancellationToken)
    {
        var triggerEvent = EventFor(registration.TriggerId, scheduledTime);
        _logger.LogDebug("Cron trigger {TriggerId} fires {EventId}", registration.TriggerId, triggerEvent.EventId);
        using var activity = StartFireSpan(registration, triggerEvent, scheduledTime);
        try
        {
            await registration.OnEvent(triggerEvent, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (activity is not null)
        {
            activity.Fail(e);
            throw;
        }
    }

    private static Activity? StartFireSpan(TriggerRegistration registration, TriggerEvent triggerEvent, DateTimeOffset scheduledTime)
    {
        if (!ExecutionTelemetry.Source.HasListeners())
        {
            return null;
        }

        var executionId = WorkflowIds.ExecutionId(registration.WorkflowId, triggerEvent.EventId);
        return ExecutionTelemetry.StartExecutionSpan("cron.fire", executionId)?
            .SetTag(TelemetryTags.WorkflowId, registration.WorkflowId)
            .SetTag(TelemetryTags.TriggerId, registration.TriggerId)
            .SetTag(TelemetryTags.TriggerEventId, triggerEvent.EventId)
            .SetTag(TelemetryTags.ExecutionId, executionId)
            .SetTag("cron.scheduled_time", scheduledTime.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture));
    }

    private CronExpression ParseSchedule(TriggerRegistration registration)
    {
        Config config;
        try
        {
            config = registration.Config is null ? new Config() : registration.Config.Unpack<Config>();
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new ArgumentException(
                $"{Id} subscription {registration.TriggerId}: config is not a {Config.Descriptor.FullName} ({registration.Config?.TypeUrl}): {e.Message}", nameof(registration), e);
        }

        try
        {
            return CronExpression.Parse(config.Schedule, CronFormat.IncludeSeconds);
        }
        catch (CronFormatException e)
        {
            throw new ArgumentException(
                $"{Id} subscription {registration.TriggerId}: schedule '{config.Schedule}' is not a 6-field cron expression (seconds first, e.g. \"*/30 * * * * *\"): {e.Message}",
                nameof(registration), e);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var id in _schedules.Keys.ToArray())
        {
            await UnregisterAsync(id, CancellationToken.None).ConfigureAwait(false);
        }
    }

    private sealed record Schedule(TriggerRegistration Registration, CronExpression Expression, CancellationTokenSource Stop, DateTimeOffset RegisteredAt)
    {
        public Task? Loop { get; set; }
    }
}
