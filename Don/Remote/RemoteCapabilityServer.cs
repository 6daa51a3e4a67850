using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Diagnostics;
using CreAspire.Don.Transport;
using CreAspire.Protocol.Capabilities;
using CreAspire.Protocol.Identity;
using CreAspire.Protocol.Sdk;
using CreAspire.Protocol.Telemetry;
using CreAspire.Protocol.Topology;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CreAspire.Don.Remote;

/// <summary>A local capability this node serves for its DON, and the DONs allowed to call it.</summary>
public sealed record ServedCapability(IExecutableCapability Capability, uint DonId, IReadOnlySet<uint> AllowedCallerDons);

/// <summary>
/// Capability DON side of the remote-capability protocol: a request runs once F(calling DON)+1 identical copies arrived
/// from distinct members of the calling DON; every requester (also late ones, for <see cref="RemoteCapabilityOptions.ResultRetention"/>
/// or until every member of the calling DON has it)
/// gets the same answer; a request that never reaches quorum expires with an error answer. Requests arrive on sessions
/// whose sender the transport has authenticated (<see cref="DonHandshake"/>); membership of the calling DON is checked here.
/// </summary>
public sealed partial class RemoteCapabilityServer : IDisposable
{
    private readonly ConcurrentDictionary<RemoteRequestKey, PendingRequest> _pending = new();
    private readonly ITopologySource _topology;
    private readonly TimeProvider _clock;
    private readonly string _self;
    private readonly RemoteCapabilityOptions _options;
    private readonly ILogger<RemoteCapabilityServer> _logger;
    private readonly ITimer _sweeper;
    private readonly CancellationTokenSource _stopping = new();
    private volatile FrozenDictionary<(string CapabilityId, uint DonId), ServedCapability> _served = FrozenDictionary<(string, uint), ServedCapability>.Empty;

    public RemoteCapabilityServer(NodeIdentity identity, ITopologySource topology, TimeProvider clock, IOptions<RemoteCapabilityOptions> options, ILogger<RemoteCapabilityServer> logger)
    {
        ArgumentNullException.ThrowIfNull(identity);
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(options);
        _self = identity.Address;
        _topology = topology;
        _clock = clock;
        _options = options.Value;
        _logger = logger;
        _sweeper = clock.CreateTimer(_ => Sweep(), null, _options.SweepInterval, _options.SweepInterval);
    }

    /// <summary>What this node currently serves (replaced by the launcher on every topology read).</summary>
    public IReadOnlyCollection<ServedCapability> Served => _served.Values;

    /// <summary>Number of requests waiting for quorum or kept for late requesters.</summary>
    public int PendingCount => _pending.Count;

    public void Serve(IEnumerable<ServedCapability> served) =>
        _served = served.ToFrozenDictionary(s => (s.Capability.Id, s.DonId));

    /// <summary>
    /// Handles one request from the authenticated node <paramref name="sender"/>; never throws for bad input (answers
    /// 4xx and logs instead). The answer body is a <see cref="RemoteCapabilityResponse"/>. Span don.serve &lt;capability&gt;,
    /// child of the sender's span <paramref name="trace"/>; the answer carries the context of the execution's span.
    /// </summary>
    public async Task<DonReply> HandleAsync(string sender, byte[] body, ActivityContext trace, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sender);
        ArgumentNullException.ThrowIfNull(body);
        using var activity = DonTelemetry.Source.StartActivity("don.serve", ActivityKind.Server, trace);
        activity?.SetTag(TelemetryTags.NodeAddress, _self).SetTag(TelemetryTags.PeerAddress, sender);
        var reply = await ServeAsync(sender, body, activity, cancellationToken).ConfigureAwait(false);
        if (!reply.IsSuccess)
        {
            activity.Fail(reply.BodyText);
        }

        activity?.SetTag("don.status", reply.StatusCode);
        return reply;
    }

    private async Task<DonReply> ServeAsync(string sender, byte[] body, Activity? activity, CancellationToken cancellationToken)
    {
        RemoteCapabilityRequest? request;
        try
        {
            request = DonJson.DeserializeRequest(body);
        }
        catch (System.Text.Json.JsonException ex)
        {
            return Reject(sender, 400, "malformed capability request body: " + DonJson.DescribeError(body, ex,
                "callerDonId and capabilityDonId are unsigned numbers, payload is base64, metadata an object of strings and a number workflowDonId, the rest are strings"));
        }

        if (request is null || string.IsNullOrEmpty(request.CapabilityId) || request.Metadata is null)
        {
            return Reject(sender, 400, "capability request body is empty or lacks capabilityId/metadata");
        }

        // Decoded before the request joins its group: a payload that cannot be decoded would otherwise fail the one run
        // after F+1 copies arrived, and every requester would wait out the quorum timeout for an answer that never comes.
        Any? payload;
        try
        {
            payload = request.Payload is { Length: > 0 } bytes ? Any.Parser.ParseFrom(bytes) : null;
        }
        catch (InvalidProtocolBufferException ex)
        {
            return Reject(sender, 400, $"capability request payload is not a serialized google.protobuf.Any: {ex.Message}");
        }

        if (!_served.TryGetValue((request.CapabilityId, request.CapabilityDonId), out var served))
        {
            return Reject(sender, 404, $"node {_self} does not serve {request.CapabilityId} for DON {request.CapabilityDonId}");
        }

        var snapshot = await _topology.GetSnapshotAsync(cancellationToken).ConfigureAwait(false);
        var callerDon = snapshot.FindDon(request.CallerDonId);
        if (callerDon is null)
        {
            return Reject(sender, 403, $"calling DON {request.CallerDonId} is not in the registry");
        }

        if (!callerDon.IsMember(sender))
        {
            return Reject(sender, 403, $"sender {sender} is not a member of DON {callerDon.Id} ({callerDon.Name}) it claims to call for");
        }

        if (!served.AllowedCallerDons.Contains(callerDon.Id))
        {
            return Reject(sender, 403, $"DON {callerDon.Id} ({callerDon.Name}) is not allowed to call {request.CapabilityId} on DON {served.DonId} (no shared DON family)");
        }

        var key = RemoteRequestKey.From(request, body);
        var now = _clock.GetUtcNow();
        var pending = _pending.GetOrAdd(key, static (k, state) => new PendingRequest(k, state.now, state.required, state.expected, state.donId),
            (now, required: callerDon.F + 1, expected: callerDon.Members.Count, donId: served.DonId));
        TagRequest(activity, request, callerDon);
        var (started, count) = pending.AddRequester(sender, activity?.Context ?? default);
        activity?.SetTag(TelemetryTags.QuorumReceived, count).SetTag(TelemetryTags.QuorumRole, started ? "started" : "joined");
        if (started)
        {
            // Started from this request's span: the execution's span is its child and links to the other requesters'.
            _ = ExecuteAsync(pending, served, request, payload);
        }

        var remaining = pending.CreatedAt + _options.QuorumTimeout - now + _options.SweepInterval;
        try
        {
            var reply = await pending.Completion.WaitAsync(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero, _clock, cancellationToken)
                .ConfigureAwait(false);
            if (pending.AllArrived)
            {
                // Every member of the calling DON has its answer: nobody is left to arrive late, so nothing is retained.
                _pending.TryRemove(new KeyValuePair<RemoteRequestKey, PendingRequest>(key, pending));
            }

            if (activity is not null && !started && pending.ExecutionSpan != default)
            {
                activity.AddLink(new ActivityLink(pending.ExecutionSpan, new ActivityTagsCollection { [TelemetryTags.LinkRelation] = "executed_by" }));
            }

            activity?.SetTag(TelemetryTags.QuorumOutcome, pending.Failure is null ? "reached" : "timeout");
            if (pending.Failure is { } failure)
            {
                activity.Fail(failure);
            }

            return new DonReply(200, reply) { Trace = pending.ExecutionSpan };
        }
        catch (TimeoutException)
        {
            return DonReply.Text(504, $"{request.CapabilityId} {request.Method} got no answer within {remaining.TotalSeconds:0.###} s on node {_self}");
        }
    }

    private static void TagRequest(Activity? activity, RemoteCapabilityRequest request, DonInfo callerDon)
    {
        if (activity is null)
        {
            return;
        }

        activity.DisplayName = "don.serve " + request.CapabilityId;
        activity.SetTag(TelemetryTags.CapabilityId, request.CapabilityId)
            .SetTag(TelemetryTags.CapabilityMethod, request.Method)
            .SetTag(TelemetryTags.WorkflowId, request.Metadata.WorkflowId)
            .SetTag(TelemetryTags.ExecutionId, request.Metadata.WorkflowExecutionId)
            .SetTag("capability.reference_id", request.Metadata.ReferenceId)
            .SetTag(TelemetryTags.CallerDonId, callerDon.Id)
            .SetTag(TelemetryTags.DonId, request.CapabilityDonId)
            .SetTag(TelemetryTags.DonF, callerDon.F)
            .SetTag(TelemetryTags.QuorumRequired, callerDon.F + 1);
    }

    private async Task ExecuteAsync(PendingRequest pending, ServedCapability served, RemoteCapabilityRequest request, Any? payload)
    {
        using var activity = StartExecutionSpan(pending, request);
        var outcome = await ExecuteCoreAsync(pending, served, request, payload, activity).ConfigureAwait(false);
        activity?.SetTag(TelemetryTags.Outcome, outcome);
        DonTelemetry.Executions.Add(1, new KeyValuePair<string, object?>(TelemetryTags.CapabilityId, request.CapabilityId), new KeyValuePair<string, object?>(TelemetryTags.Outcome, outcome));
    }

    /// <summary>capability.execute &lt;capability&gt;: one per quorum, child of the current (starting) request's span, linked to the others.</summary>
    private Activity? StartExecutionSpan(PendingRequest pending, RemoteCapabilityRequest request)
    {
        if (!DonTelemetry.Source.HasListeners())
        {
            return null;
        }

        var activity = DonTelemetry.Source.StartActivity("capability.execute " + request.CapabilityId, ActivityKind.Internal, parentContext: default,
            links: pending.RequesterLinks(except: Activity.Current?.Context ?? default));
        activity?.SetTag(TelemetryTags.CapabilityId, request.CapabilityId)
            .SetTag(TelemetryTags.CapabilityMethod, request.Method)
            .SetTag(TelemetryTags.WorkflowId, request.Metadata.WorkflowId)
            .SetTag(TelemetryTags.ExecutionId, request.Metadata.WorkflowExecutionId)
            .SetTag("capability.reference_id", request.Metadata.ReferenceId)
            .SetTag(TelemetryTags.CallerDonId, request.CallerDonId)
            .SetTag(TelemetryTags.NodeAddress, _self)
            .SetTag(TelemetryTags.QuorumReceived, pending.Progress().Count);
        pending.ExecutionSpan = activity?.Context ?? default;
        return activity;
    }

    private async Task<string> ExecuteCoreAsync(PendingRequest pending, ServedCapability served, RemoteCapabilityRequest request, Any? payload, Activity? activity)
    {
        var method = (string?)request.Method ?? ""; // JSON may carry null despite the type
        var caller = new CapabilityCaller(request.CallerDonId, pending.Requesters());
        var call = new CapabilityCall(request.CapabilityId, method, payload, request.Metadata)
        {
            Caller = caller,
        };
        CapabilityResponse response;
        string outcome;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        timeout.CancelAfter(_options.ExecutionTimeout);
        try
        {
            response = await served.Capability.ExecuteAsync(call, timeout.Token).ConfigureAwait(false);
            outcome = response.ResponseCase == CapabilityResponse.ResponseOneofCase.Error ? "error" : "succeeded";
            if (outcome == "error")
            {
                activity.Fail(response.Error);
            }
        }
        catch (OperationCanceledException ex) when (timeout.IsCancellationRequested)
        {
            response = new CapabilityResponse { Error = $"{request.CapabilityId} {method} did not finish within {_options.ExecutionTimeout.TotalSeconds:0.###} s" };
            outcome = "timeout";
            activity.Fail(ex, response.Error);
        }
#pragma warning disable CA1031 // a failing capability must answer its callers, not crash the request
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogExecutionFailed(_logger, ex, request.CapabilityId, method);
            response = new CapabilityResponse { Error = $"{request.CapabilityId} {method} failed: {ex.Message}" };
            outcome = "failed";
            activity.Fail(ex);
        }

        LogExecuted(_logger, request.CapabilityId, method, request.Metadata.WorkflowExecutionId, request.Metadata.ReferenceId, request.CallerDonId, caller.NodeAddresses.Count);
        pending.Complete(Reply(pending.Key, served.DonId, response.ToByteArray(), null), _clock.GetUtcNow());
        return outcome;
    }

    private static byte[] Reply(RemoteRequestKey key, uint donId, byte[] response, string? error) =>
        DonJson.Serialize(new RemoteCapabilityResponse(key.BodySha256, donId, response, error));

    private void Sweep()
    {
        var now = _clock.GetUtcNow();
        foreach (var (key, pending) in _pending)
        {
            if (pending.CompletedAt is { } completedAt)
            {
                if (now - completedAt > _options.ResultRetention)
                {
                    _pending.TryRemove(key, out _);
                }
            }
            else if (!pending.IsStarted && now - pending.CreatedAt > _options.QuorumTimeout)
            {
                var (count, required) = pending.Progress();
                var error = $"quorum not reached: {key.CapabilityId} {key.Method} received {count} of {required} required identical requests " +
                            $"from DON {key.CallerDonId} members within {_options.QuorumTimeout.TotalSeconds:0.###} s";
                LogExpired(_logger, key.CapabilityId, key.WorkflowExecutionId, key.ReferenceId, count, required);
                DonTelemetry.Executions.Add(1, new KeyValuePair<string, object?>(TelemetryTags.CapabilityId, key.CapabilityId), new KeyValuePair<string, object?>(TelemetryTags.Outcome, "quorum_not_reached"));
                pending.Complete(Reply(key, pending.DonId, [], error), now, error);
                _pending.TryRemove(key, out _);
            }
        }
    }

    private DonReply Reject(string sender, int status, string reason)
    {
        LogRejected(_logger, sender, reason);
        return DonReply.Text(status, reason);
    }

    public void Dispose()
    {
        _sweeper.Dispose();
        _stopping.Cancel();
        _stopping.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rejected DON request from {Sender}: {Reason}")]
    private static partial void LogRejected(ILogger logger, string sender, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Executed {CapabilityId} {Method} for execution {ExecutionId} ref {ReferenceId} from DON {CallerDonId} ({Requesters} requesters)")]
    private static partial void LogExecuted(ILogger logger, string capabilityId, string method, string executionId, string referenceId, uint callerDonId, int requesters);

    [LoggerMessage(Level = LogLevel.Error, Message = "{CapabilityId} {Method} threw")]
    private static partial void LogExecutionFailed(ILogger logger, Exception exception, string capabilityId, string method);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Request for {CapabilityId} (execution {ExecutionId} ref {ReferenceId}) expired with {Count} of {Required} requesters")]
    private static partial void LogExpired(ILogger logger, string capabilityId, string executionId, string referenceId, int count, int required);

    /// <summary>One request key's state: distinct requesters, single-flight execution, one shared signed answer.</summary>
    private sealed class PendingRequest(RemoteRequestKey key, DateTimeOffset createdAt, int required, int expected, uint donId)
    {
        private readonly Lock _lock = new();
        private readonly SortedSet<string> _requesters = new(StringComparer.Ordinal);
        private readonly List<ActivityContext> _requesterSpans = [];
        private readonly TaskCompletionSource<byte[]> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private bool _started;

        public RemoteRequestKey Key { get; } = key;

        public DateTimeOffset CreatedAt { get; } = createdAt;

        public uint DonId { get; } = donId;

        public bool IsStarted
        {
            get
            {
                lock (_lock)
                {
                    return _started;
                }
            }
        }

        public DateTimeOffset? CompletedAt { get; private set; }

        /// <summary>True once every member of the calling DON has sent this request.</summary>
        public bool AllArrived
        {
            get
            {
                lock (_lock)
                {
                    return _requesters.Count >= expected;
                }
            }
        }

        public Task<byte[]> Completion => _completion.Task;

        /// <summary>The span of the execution (capability.execute), once started and recorded; set before the completion.</summary>
        public ActivityContext ExecutionSpan { get; set; }

        /// <summary>Why the request got no execution (it expired before quorum); null when it executed.</summary>
        public string? Failure { get; private set; }

        /// <summary>
        /// Adds a requester and its span (default when not recorded); Start is true exactly once, for the caller that brings
        /// the count to quorum. Count is the number of distinct requesters after the addition.
        /// </summary>
        public (bool Start, int Count) AddRequester(string address, ActivityContext requesterSpan)
        {
            lock (_lock)
            {
                _requesters.Add(address.ToLowerInvariant());
                if (requesterSpan != default)
                {
                    _requesterSpans.Add(requesterSpan);
                }

                if (_started || _requesters.Count < required)
                {
                    return (false, _requesters.Count);
                }

                _started = true;
                return (true, _requesters.Count);
            }
        }

        /// <summary>Links to the requesters' spans collected so far, except <paramref name="except"/> (the execution's parent).</summary>
        public ActivityLink[] RequesterLinks(ActivityContext except)
        {
            lock (_lock)
            {
                return _requesterSpans.Where(c => c != except)
                    .Select(c => new ActivityLink(c, new ActivityTagsCollection { [TelemetryTags.LinkRelation] = "quorum_member" }))
                    .ToArray();
            }
        }

        public IReadOnlyList<string> Requesters()
        {
            lock (_lock)
            {
                return [.. _requesters];
            }
        }

        public (int Count, int Required) Progress()
        {
            lock (_lock)
            {
                return (_requesters.Count, required);
            }
        }

        public void Complete(byte[] reply, DateTimeOffset at, string? failure = null)
        {
            Failure ??= failure;
            if (_completion.TrySetResult(reply))
            {
                CompletedAt = at;
            }
        }
    }
}
