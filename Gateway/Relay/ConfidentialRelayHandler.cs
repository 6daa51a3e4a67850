using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.RateLimiting;
using CreAspire.Gateway.Connections;
using CreAspire.Gateway.Routing;
using CreAspire.Gateway.Topology;
using CreAspire.Protocol.JsonRpc;
using CreAspire.Protocol.Relay;
using CreAspire.Protocol.Telemetry;
using CreAspire.Protocol.Topology;
using Microsoft.Extensions.Options;

namespace CreAspire.Gateway.Relay;

/// <summary>Knobs of the confidential relay handler (section "Gateway:ConfidentialRelay").</summary>
public sealed record ConfidentialRelayOptions
{
    public const string SectionName = "Gateway:ConfidentialRelay";

    /// <summary>How long a request waits for 2F+1 identical node responses (the original's RequestTimeoutSec = 30). Must stay below Gateway:UserRequestTimeout so the caller sees this handler's precise error.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Bound on each single write to a node, so one stuck WebSocket cannot hold a request (the original's NodeSendTimeoutSec = 10); clamped to <see cref="RequestTimeout"/>.</summary>
    public TimeSpan NodeSendTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How often expired requests are swept (the original's cleanup period, 1 s in Gen-2); expiry is at most this late.</summary>
    public TimeSpan CleanupPeriod { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Unsolicited node messages per second (answers to no outstanding request: unknown or completed request, repeated
    /// answer) processed from one node; excess is dropped, so a chatty or faulty node cannot starve the others. A node's
    /// first answer to a request it was sent is never rate-limited (see <see cref="ConfidentialRelayHandler.HandleNodeMessage"/>).
    /// </summary>
    public int PerNodeRatePerSecond { get; init; } = 2_000;

    /// <summary>Unsolicited node messages per second processed from all nodes together.</summary>
    public int GlobalRatePerSecond { get; init; } = 10_000;

    /// <summary>Requests in flight at once; more are refused with LimitExceeded (HTTP 429).</summary>
    public int MaxActiveRequests { get; init; } = 10_000;

    internal TimeSpan EffectiveNodeSendTimeout => NodeSendTimeout <= TimeSpan.Zero || NodeSendTimeout > RequestTimeout ? RequestTimeout : NodeSendTimeout;
}

/// <summary>
/// Gateway handler of the "confidential" service: fans each request out to every relay DON member and answers once
/// 2F+1 of them returned byte-identical responses (digest = SHA-256 of the canonical JSON of the whole response).
/// Lifecycle of a request: create (duplicate id → conflict) → fan out (each send bounded) → collect node responses →
/// complete exactly once (quorum, quorum unobtainable, expiry or caller cancellation race; the first claimer answers)
/// → removed from the active set whatever happened.
/// </summary>
public sealed partial class ConfidentialRelayHandler : IGatewayServiceHandler, IDisposable
{
    public const int MaxRequestIdLength = 200;

    private static readonly string[] SupportedMethods = [RelayMethods.SecretsGet, RelayMethods.CapabilityExecute];

    private readonly ConcurrentDictionary<string, ActiveRequest> _active = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, RateLimiter> _nodeLimiters = new(StringComparer.Ordinal);
    private readonly RateLimiter _globalLimiter;
    private readonly INodeConnections _connections;
    private readonly RelayDonResolver _donResolver;
    private readonly ConfidentialRelayOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<ConfidentialRelayHandler> _logger;
    private readonly ITimer _sweeper;
    private DonInfo? _lastDon;

    public ConfidentialRelayHandler(
        INodeConnections connections,
        RelayDonResolver donResolver,
        IOptions<ConfidentialRelayOptions> options,
        TimeProvider timeProvider,
        ILogger<ConfidentialRelayHandler> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _connections = connections;
        _donResolver = donResolver;
        _options = options.Value;
        _time = timeProvider;
        _logger = logger;
        _globalLimiter = NewLimiter(_options.GlobalRatePerSecond);
        _sweeper = _time.CreateTimer(_ => SweepExpired(), null, _options.CleanupPeriod, _options.CleanupPeriod);
        _connections.ConnectionClosed += OnConnectionClosed;
    }

    public string ServiceName => RelayMethods.ServiceName;

    public IReadOnlyCollection<string> Methods => SupportedMethods;

    /// <summary>Requests currently waiting for completion (0 when idle: nothing leaks).</summary>
    public int ActiveRequestCount => _active.Count;

    public async Task<GatewayUserResponse> HandleUserRequestAsync(JsonRpcRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (string.IsNullOrEmpty(request.Id) || request.Id.Length > MaxRequestIdLength)
        {
            return GatewayUserResponse.Error(request, JsonRpcErrorCodes.InvalidRequest, $"request id must be 1..{MaxRequestIdLength} characters");
        }

        if (!SupportedMethods.Contains(request.Method, StringComparer.Ordinal))
        {
            return GatewayUserResponse.Error(request, JsonRpcErrorCodes.MethodNotFound, $"method '{request.Method}' is not supported by service '{ServiceName}' (supported: {string.Join(", ", SupportedMethods)})");
        }

        if (_active.Count >= _options.MaxActiveRequests)
        {
            return GatewayUserResponse.Error(request, JsonRpcErrorCodes.LimitExceeded, $"too many requests in flight (limit {_options.MaxActiveRequests}); retry later");
        }

        var don = await _donResolver.ResolveAsync(cancellationToken).ConfigureAwait(false);
        Volatile.Write(ref _lastDon, don);
        var active = new ActiveRequest(request, don, _time.GetTimestamp(), _time.GetUtcNow() + _options.RequestTimeout);
        if (!_active.TryAdd(request.Id, active))
        {
            return GatewayUserResponse.Error(request, JsonRpcErrorCodes.Conflict, "request ID already exists: " + request.Id);
        }

        GatewayTelemetry.ActiveRequests.Add(1);
        // gateway.relay is current while the request fans out, so each gateway.forward message carries it to the relays.
        active.Activity = GatewayTelemetry.ActivitySource.HasListeners() ? GatewayTelemetry.ActivitySource.StartActivity("gateway.relay " + request.Method, ActivityKind.Server) : null;
        active.Activity?.SetTag(TelemetryTags.RpcMethod, request.Method).SetTag(TelemetryTags.RequestId, request.Id)
            .SetTag(TelemetryTags.DonId, don.Id).SetTag(TelemetryTags.DonF, don.F).SetTag(TelemetryTags.DonMembers, don.Members.Count)
            .SetTag(TelemetryTags.QuorumRequired, RequiredQuorum(don));
        using var cancellation = cancellationToken.Register(() => Complete(active, Failure(active, JsonRpcErrorCodes.RequestTimeout, "request cancelled by the caller"), "cancelled"));

        await FanOutAsync(active, cancellationToken).ConfigureAwait(false);
        return await active.Completion.Task.ConfigureAwait(false);
    }

    /// <summary>
    /// Accepts a node's answer to a request it was sent. The per-node and global rate limits apply only to messages that
    /// answer nothing outstanding (unknown or completed request, repeated answer): a node can send at most one accepted
    /// answer per request it was asked, so accepted answers are bounded by the gateway's own admission
    /// (<see cref="ConfidentialRelayOptions.MaxActiveRequests"/>). Dropping an owed answer instead would cost that request
    /// its quorum: every node answers at the same rate, so a limit that drops one node's answers drops the others' at the
    /// same moment, and every request in flight could then only expire (RequestTimeout later).
    /// </summary>
    public NodeMessageOutcome HandleNodeMessage(JsonRpcResponse response, string nodeAddress)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(nodeAddress);
        var node = nodeAddress.ToLowerInvariant();
        var don = Volatile.Read(ref _lastDon);
        if (don is not null && !don.IsMember(node))
        {
            LogUnknownNode(node, response.Id);
            return Dropped(NodeMessageOutcome.UnknownNode, "unknown_node");
        }

        // A response without an id (JSON null from the wire, despite the type) answers nothing outstanding.
        var requestId = (string?)response.Id ?? "";
        if (!_active.TryGetValue(requestId, out var active) || !active.Don.IsMember(node))
        {
            if (IsRateLimited(node, requestId))
            {
                return Dropped(NodeMessageOutcome.RateLimited, "rate_limited");
            }

            LogUnknownRequest(node, requestId);
            return Dropped(NodeMessageOutcome.UnknownRequest, "unknown_request");
        }

        string? digest = null;
        if (!active.HasAnswered(node) && !TryDigest(response, out digest, out var undecodable))
        {
            LogUndecodable(node, requestId, undecodable);
            return Dropped(NodeMessageOutcome.Undecodable, "undecodable");
        }

        if (digest is null || !active.TryAddResponse(node, digest, response))
        {
            if (IsRateLimited(node, requestId))
            {
                return Dropped(NodeMessageOutcome.RateLimited, "rate_limited");
            }

            LogDuplicateResponse(node, requestId);
            return Dropped(NodeMessageOutcome.DuplicateResponse, "duplicate");
        }

        return Decide(active, expired: false) ? NodeMessageOutcome.CompletedRequest : NodeMessageOutcome.Accepted;
    }

    /// <summary>The response's vote (digest of its canonical JSON); false with the reason when it cannot be canonicalized.</summary>
    private static bool TryDigest(JsonRpcResponse response, out string? digest, out string reason)
    {
        try
        {
            digest = CanonicalJson.Digest(response);
            reason = "";
            return true;
        }
        catch (ArgumentException ex)
        {
            digest = null;
            reason = ex.Message;
            return false;
        }
    }

    /// <summary>Takes a token from the node's and the global limiter; true (and logged) when either is exhausted.</summary>
    private bool IsRateLimited(string node, string requestId)
    {
        using var perNode = _nodeLimiters.GetOrAdd(node, _ => NewLimiter(_options.PerNodeRatePerSecond)).AttemptAcquire();
        using var global = _globalLimiter.AttemptAcquire();
        if (perNode.IsAcquired && global.IsAcquired)
        {
            return false;
        }

        LogRateLimited(node, requestId);
        return true;
    }

    public void Dispose()
    {
        _connections.ConnectionClosed -= OnConnectionClosed;
        _sweeper.Dispose();
        foreach (var active in _active.Values)
        {
            Complete(active, Failure(active, JsonRpcErrorCodes.Internal, "gateway is shutting down"), "cancelled");
        }

        _globalLimiter.Dispose();
        foreach (var limiter in _nodeLimiters.Values)
        {
            limiter.Dispose();
        }
    }

    /// <summary>Sends to every member concurrently, each send bounded by NodeSendTimeout; unreachable nodes no longer count as outstanding.</summary>
    private async Task FanOutAsync(ActiveRequest active, CancellationToken cancellationToken)
    {
        var lostBeforeRecorded = false;
        var sends = active.Don.Members.Select(async member =>
        {
            try
            {
                var connectionId = await _connections.SendAsync(member, active.Request, cancellationToken).WaitAsync(_options.EffectiveNodeSendTimeout, _time, cancellationToken).ConfigureAwait(false);
                if (!active.RecordSent(member, connectionId))
                {
                    LogAnswerLost(member, active.Request.Id);
                    lostBeforeRecorded = true;
                }

                return true;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                active.Activity?.AddEvent(new ActivityEvent("send failed", tags: new ActivityTagsCollection { [TelemetryTags.PeerAddress] = member, ["error.message"] = ex.Message }));
                LogSendFailed(member, active.Request.Id, ex.Message);
                active.MarkUnreachable(member);
                return false;
            }
        }).ToArray();
        var results = await Task.WhenAll(sends).ConfigureAwait(false);
        var sent = results.Count(ok => ok);
        var required = RequiredQuorum(active.Don);
        if (sent < required)
        {
            Complete(active, Failure(active, JsonRpcErrorCodes.Internal,
                $"failed to forward user request to nodes: {sent} of {active.Don.Members.Count} sends succeeded, 2F+1={required} needed"), "forward_failed");
        }
        else if (sent < active.Don.Members.Count || lostBeforeRecorded)
        {
            // Unreachable nodes (and nodes whose connection ended before their send was recorded) no longer count as
            // outstanding, which may make quorum unobtainable now.
            Decide(active, expired: false);
        }
    }

    /// <summary>
    /// The one decision shared by the live path and the expiry sweep, computed on a copy taken under the request's lock:
    /// quorum → answer with the agreed response; quorum impossible → fail now; expired → fail; otherwise keep waiting.
    /// </summary>
    private bool Decide(ActiveRequest active, bool expired)
    {
        var tally = active.Tally();
        var required = RequiredQuorum(active.Don);
        var (maxAgreeing, agreed) = Agreement(tally.Responses, required);
        if (agreed is not null)
        {
            return Complete(active, GatewayUserResponse.From(agreed.Response), agreed.Response.Error is null ? "success" : "node_error");
        }

        var remaining = tally.Outstanding;
        if (maxAgreeing + remaining < required)
        {
            using (BeginDecisionScope(active, tally, required, maxAgreeing))
            {
                return Complete(active, Failure(active, JsonRpcErrorCodes.Internal,
                    $"quorum unobtainable: requiredQuorum={required}, maxShaToCount={maxAgreeing}, remainingResponses={remaining}"), "quorum_unobtainable");
            }
        }

        if (expired)
        {
            using (BeginDecisionScope(active, tally, required, maxAgreeing))
            {
                return Complete(active, Failure(active, JsonRpcErrorCodes.RequestTimeout,
                    $"request expired: got {tally.Responses.Count}/{active.Don.Members.Count} responses"), "expired");
            }
        }

        if (_logger.IsEnabled(LogLevel.Debug))
        {
            using (BeginDecisionScope(active, tally, required, maxAgreeing))
            {
                LogWaiting();
            }
        }

        return false;
    }

    /// <summary>
    /// The size of the largest group of identical responses, and the response to answer with when a group reached
    /// <paramref name="required"/>. Ties (possible only with many nodes) resolve deterministically: smallest digest, then
    /// the first node in sorted order. Plain loops over at most one response per member: this runs on every node message.
    /// </summary>
    private static (int MaxAgreeing, NodeResponse? Agreed) Agreement(IReadOnlyList<NodeResponse> responses, int required)
    {
        var maxAgreeing = 0;
        NodeResponse? agreed = null;
        for (var i = 0; i < responses.Count; i++)
        {
            var digest = responses[i].Digest;
            if (IndexOfDigest(responses, digest) < i)
            {
                continue; // this group was counted at its first member
            }

            var count = 0;
            var first = responses[i];
            for (var j = i; j < responses.Count; j++)
            {
                if (string.Equals(responses[j].Digest, digest, StringComparison.Ordinal))
                {
                    count++;
                    first = string.CompareOrdinal(responses[j].Node, first.Node) < 0 ? responses[j] : first;
                }
            }

            maxAgreeing = Math.Max(maxAgreeing, count);
            if (count >= required && (agreed is null || string.CompareOrdinal(digest, agreed.Digest) < 0))
            {
                agreed = first;
            }
        }

        return (maxAgreeing, agreed);
    }

    private static int IndexOfDigest(IReadOnlyList<NodeResponse> responses, string digest)
    {
        for (var i = 0; i < responses.Count; i++)
        {
            if (string.Equals(responses[i].Digest, digest, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The decision's figures as a logging scope; built only when something is about to be logged.</summary>
    private IDisposable? BeginDecisionScope(ActiveRequest active, Tally tally, int required, int maxAgreeing) =>
        _logger.BeginScope(new Dictionary<string, object>
        {
            ["requestId"] = active.Request.Id,
            ["required"] = required,
            ["collected"] = tally.Responses.Count,
            ["maxAgreeing"] = maxAgreeing,
            ["remaining"] = tally.Outstanding,
            ["unreachable"] = tally.Unreachable,
            ["members"] = active.Don.Members.Count,
        });

    /// <summary>Single-flight completion: only the first caller answers; the request is removed whatever happens; metrics only for the winner.</summary>
    private bool Complete(ActiveRequest active, GatewayUserResponse response, string outcome)
    {
        if (!active.TryClaimCompletion())
        {
            return false;
        }

        _active.TryRemove(new KeyValuePair<string, ActiveRequest>(active.Request.Id, active));
        GatewayTelemetry.ActiveRequests.Add(-1);
        var answered = active.Completion.TrySetResult(response);
        if (answered)
        {
            var elapsed = _time.GetElapsedTime(active.CreatedTimestamp);
            var tags = new TagList { { "method", active.Request.Method }, { "outcome", outcome } };
            GatewayTelemetry.RequestsCompleted.Add(1, tags);
            GatewayTelemetry.RequestDuration.Record(elapsed.TotalMilliseconds, tags);
            var reached = outcome is "success" or "node_error";
            active.Activity?.SetTag(TelemetryTags.Outcome, outcome).SetTag(TelemetryTags.QuorumOutcome, reached ? "reached" : "failed");
            if (active.Activity is not null)
            {
                active.Activity.SetTag(TelemetryTags.QuorumReceived, active.Tally().Responses.Count);
            }

            if (!reached)
            {
                active.Activity.Fail(response.Response.Error?.Message);
                LogFailed(active.Request.Id, outcome, response.Response.Error?.Message ?? "");
            }
        }

        active.Activity?.Dispose();
        return true;
    }

    /// <summary>
    /// A node connection ended: the node will not answer what was written to that connection (its connector drops the
    /// session's work; a reconnect is a new session), so those requests stop counting it as outstanding, which may make
    /// their quorum unobtainable now instead of at expiry.
    /// </summary>
    private void OnConnectionClosed(string nodeAddress, long connectionId)
    {
        var node = nodeAddress.ToLowerInvariant();
        foreach (var (_, active) in _active)
        {
            if (active.TryMarkLost(node, connectionId))
            {
                LogAnswerLost(node, active.Request.Id);
                Decide(active, expired: false);
            }
        }
    }

    private void SweepExpired()
    {
        var now = _time.GetUtcNow();
        foreach (var active in _active.Values.Where(a => a.Deadline <= now).ToArray())
        {
            Decide(active, expired: true);
        }
    }

    private static int RequiredQuorum(DonInfo don) => (2 * don.F) + 1;

    private static GatewayUserResponse Failure(ActiveRequest active, int code, string message) =>
        GatewayUserResponse.Error(active.Request, code, message);

    private static NodeMessageOutcome Dropped(NodeMessageOutcome outcome, string reason)
    {
        GatewayTelemetry.NodeMessagesDropped.Add(1, new KeyValuePair<string, object?>("reason", reason));
        return outcome;
    }

    private static TokenBucketRateLimiter NewLimiter(int perSecond) => new(new TokenBucketRateLimiterOptions
    {
        TokenLimit = perSecond,
        TokensPerPeriod = perSecond,
        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
        QueueLimit = 0,
        AutoReplenishment = true,
    });

    /// <summary>One in-flight request: its own lock over the node responses, and a completed flag claimed once.</summary>
    private sealed class ActiveRequest(JsonRpcRequest request, DonInfo don, long createdTimestamp, DateTimeOffset deadline)
    {
        private readonly Lock _lock = new();
        private readonly Dictionary<string, NodeResponse> _responses = new(StringComparer.Ordinal);
        private readonly HashSet<string> _unreachable = new(StringComparer.Ordinal);
        private readonly Dictionary<string, long> _sentOn = new(StringComparer.Ordinal);
        private Dictionary<string, long>? _closedBeforeSent; // rare: allocated only when a close overtakes a send
        private int _completed;

        public JsonRpcRequest Request { get; } = request;

        public DonInfo Don { get; } = don;

        public long CreatedTimestamp { get; } = createdTimestamp;

        public DateTimeOffset Deadline { get; } = deadline;

        public Activity? Activity { get; set; }

        public TaskCompletionSource<GatewayUserResponse> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool IsCompleted => Volatile.Read(ref _completed) != 0;

        public bool TryClaimCompletion() => Interlocked.CompareExchange(ref _completed, 1, 0) == 0;

        /// <summary>False when this node already answered (its first answer stands).</summary>
        public bool HasAnswered(string node)
        {
            lock (_lock)
            {
                return _responses.ContainsKey(node);
            }
        }

        public bool TryAddResponse(string node, string digest, JsonRpcResponse response)
        {
            lock (_lock)
            {
                return _responses.TryAdd(node, new NodeResponse(node, digest, response));
            }
        }

        /// <summary>
        /// Remembers which connection the request went out on to this node. False (and the node marked unreachable) when
        /// that connection was already reported closed: the close can be processed before the send's continuation runs
        /// (the node may receive the request, and its link end, before this line), and it must not be missed then.
        /// </summary>
        public bool RecordSent(string node, long connectionId)
        {
            lock (_lock)
            {
                _sentOn[node] = connectionId;
                if (_closedBeforeSent is not null && _closedBeforeSent.TryGetValue(node, out var closed) && closed == connectionId && !_responses.ContainsKey(node))
                {
                    _unreachable.Add(node);
                    return false;
                }

                return true;
            }
        }

        /// <summary>
        /// True (and the node marked unreachable) when the request went out on that connection and the node has not
        /// answered. A close of a connection this request's send to the node is not yet recorded on is kept for
        /// <see cref="RecordSent"/>.
        /// </summary>
        public bool TryMarkLost(string node, long connectionId)
        {
            lock (_lock)
            {
                if (!_sentOn.TryGetValue(node, out var sentOn))
                {
                    (_closedBeforeSent ??= new(StringComparer.Ordinal))[node] = connectionId;
                    return false;
                }

                return sentOn == connectionId && !_responses.ContainsKey(node) && _unreachable.Add(node);
            }
        }

        public void MarkUnreachable(string node)
        {
            lock (_lock)
            {
                _unreachable.Add(node);
            }
        }

        /// <summary>A copy of the responses and the outstanding count, taken under the lock; aggregation happens outside it.</summary>
        public Tally Tally()
        {
            lock (_lock)
            {
                var unreachable = _unreachable.Count(n => !_responses.ContainsKey(n));
                return new Tally([.. _responses.Values], Math.Max(0, Don.Members.Count - _responses.Count - unreachable), unreachable);
            }
        }
    }

    private sealed record NodeResponse(string Node, string Digest, JsonRpcResponse Response);

    private sealed record Tally(IReadOnlyList<NodeResponse> Responses, int Outstanding, int Unreachable);

    [LoggerMessage(Level = LogLevel.Error, Message = "Response {RequestId} from {NodeAddress}, which is not a member of the relay DON; dropped")]
    private partial void LogUnknownNode(string nodeAddress, string requestId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Unsolicited message {RequestId} from {NodeAddress} exceeds the node or global rate limit; dropped")]
    private partial void LogRateLimited(string nodeAddress, string requestId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Response {RequestId} from {NodeAddress} matches no active request (already completed or unknown); dropped")]
    private partial void LogUnknownRequest(string nodeAddress, string requestId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Response {RequestId} from {NodeAddress} cannot vote and was dropped: {Reason}")]
    private partial void LogUndecodable(string nodeAddress, string requestId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "duplicate response from node {NodeAddress} for request {RequestId}, ignoring")]
    private partial void LogDuplicateResponse(string nodeAddress, string requestId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sending request {RequestId} to node {NodeAddress} failed: {Reason}")]
    private partial void LogSendFailed(string nodeAddress, string requestId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Node {NodeAddress}'s connection ended before it answered request {RequestId}; it no longer counts as outstanding")]
    private partial void LogAnswerLost(string nodeAddress, string requestId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Waiting for more relay responses")]
    private partial void LogWaiting();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Request {RequestId} failed ({Outcome}): {Reason}")]
    private partial void LogFailed(string requestId, string outcome, string reason);
}
