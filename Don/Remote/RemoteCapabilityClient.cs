using System.Diagnostics;
using System.Security.Cryptography;
using CreAspire.Don.Transport;
using CreAspire.Protocol.Capabilities;
using CreAspire.Protocol.Sdk;
using CreAspire.Protocol.Telemetry;
using CreAspire.Protocol.Topology;
using Google.Protobuf;
using Microsoft.Extensions.Logging;

namespace CreAspire.Don.Remote;

/// <summary>Thrown when F+1 identical responses can no longer be obtained (raised as soon as that is certain).</summary>
public sealed class CapabilityQuorumException(string message) : Exception(message);

/// <summary>
/// Calls a capability served by another DON: sends the request to every member of the capability DON and
/// returns the first response that F(capability DON)+1 members sent byte-for-byte identically. Fails fast when too
/// many members failed or disagreed for that to happen; times out after <see cref="RemoteCapabilityOptions.RequestTimeout"/>.
/// </summary>
public sealed partial class RemoteCapabilityClient : IExecutableCapability
{
    private readonly DonTransportClient _transport;
    private readonly RemoteCapabilityOptions _options;
    private readonly ILogger _logger;

    /// <param name="capabilityId">e.g. mock@1.0.0.</param>
    /// <param name="capabilityDon">The DON serving it (members and F from the registry).</param>
    /// <param name="localDonId">The DON this node calls for when the call's metadata does not name one of its DONs.</param>
    /// <param name="memberOf">The DONs this node belongs to; metadata.WorkflowDonId is used as the calling DON only when it is
    /// one of them (a relay node calling for a workflow DON's execution calls as its relay DON). Null: trust WorkflowDonId.</param>
    public RemoteCapabilityClient(string capabilityId, DonInfo capabilityDon, uint localDonId, DonTransportClient transport, RemoteCapabilityOptions options, ILogger logger, IReadOnlyCollection<uint>? memberOf = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(capabilityId);
        ArgumentNullException.ThrowIfNull(capabilityDon);
        if (capabilityDon.Members.Count == 0)
        {
            throw new ArgumentException($"DON {capabilityDon.Id} ({capabilityDon.Name}) has no members to call {capabilityId} on.", nameof(capabilityDon));
        }

        Id = capabilityId;
        CapabilityDon = capabilityDon;
        LocalDonId = localDonId;
        MemberOf = memberOf;
        _transport = transport;
        _options = options;
        _logger = logger;
    }

    public string Id { get; }

    public DonInfo CapabilityDon { get; }

    public uint LocalDonId { get; }

    public IReadOnlyCollection<uint>? MemberOf { get; }

    /// <summary>The DON this node calls for: metadata.WorkflowDonId when it is one of this node's DONs, else <see cref="LocalDonId"/>.</summary>
    public uint CallerDonFor(CapabilityRequestMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        return metadata.WorkflowDonId != 0 && (MemberOf is null || MemberOf.Contains(metadata.WorkflowDonId)) ? metadata.WorkflowDonId : LocalDonId;
    }

    /// <summary>Span don.call &lt;capability&gt; around the whole call; one don.request child per member, current while its request is sent.</summary>
    public async Task<CapabilityResponse> ExecuteAsync(CapabilityCall call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        var callerDonId = CallerDonFor(call.Metadata);
        using var activity = StartCallSpan(call, callerDonId);
        var startedAt = Stopwatch.GetTimestamp();
        var outcome = "reached";
        try
        {
            return await CallAsync(call, callerDonId, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            outcome = ex switch
            {
                TimeoutException => "timeout",
                CapabilityQuorumException => "unobtainable",
                OperationCanceledException => "cancelled",
                _ => "failed",
            };
            activity.Fail(ex);
            throw;
        }
        finally
        {
            activity?.SetTag(TelemetryTags.QuorumOutcome, outcome);
            DonTelemetry.CallDuration.Record(Stopwatch.GetElapsedTime(startedAt).TotalSeconds,
                new KeyValuePair<string, object?>(TelemetryTags.CapabilityId, Id), new KeyValuePair<string, object?>(TelemetryTags.Outcome, outcome));
        }
    }

    private Activity? StartCallSpan(CapabilityCall call, uint callerDonId)
    {
        if (!DonTelemetry.Source.HasListeners())
        {
            return null;
        }

        return DonTelemetry.Source.StartActivity("don.call " + Id, ActivityKind.Client)?
            .SetTag(TelemetryTags.CapabilityId, Id)
            .SetTag(TelemetryTags.CapabilityMethod, call.Method)
            .SetTag(TelemetryTags.WorkflowId, call.Metadata.WorkflowId)
            .SetTag(TelemetryTags.ExecutionId, call.Metadata.WorkflowExecutionId)
            .SetTag("capability.reference_id", call.Metadata.ReferenceId)
            .SetTag(TelemetryTags.CallerDonId, callerDonId)
            .SetTag(TelemetryTags.NodeAddress, _transport.Identity.Address)
            .SetTag(TelemetryTags.DonId, CapabilityDon.Id)
            .SetTag(TelemetryTags.DonF, CapabilityDon.F)
            .SetTag(TelemetryTags.DonMembers, CapabilityDon.Members.Count)
            .SetTag(TelemetryTags.QuorumRequired, CapabilityDon.F + 1);
    }

    private async Task<CapabilityResponse> CallAsync(CapabilityCall call, uint callerDonId, CancellationToken cancellationToken)
    {
        var request = new RemoteCapabilityRequest(callerDonId, CapabilityDon.Id, Id, call.Method, call.Payload?.ToByteArray() ?? [], call.Metadata);
        var body = DonJson.Serialize(request);
        var requestKey = RemoteRequestKey.BodyDigest(body);

        // Sends are not cancelled once quorum is reached: every capability node should get every copy (so each executes
        // the request once); each send is bounded by the request timeout and the caller's token. Each node's outcome is
        // tallied as it arrives; the first decision (agreement or "unobtainable") completes the call.
        var tally = new ResponseTally(CapabilityDon.F + 1, CapabilityDon.Members.Count);
        var decided = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        foreach (var member in CapabilityDon.Members)
        {
            _ = CollectAsync(member);
        }

        try
        {
            return CapabilityResponse.Parser.ParseFrom(await decided.Task.WaitAsync(_options.RequestTimeout, _transport.Clock, cancellationToken).ConfigureAwait(false));
        }
        catch (TimeoutException)
        {
            lock (tally)
            {
                throw new TimeoutException($"{Describe(callerDonId)}: no {tally.Required} identical responses within {_options.RequestTimeout.TotalSeconds:0.###} s ({tally.Summary()})");
            }
        }

        async Task CollectAsync(string member)
        {
            NodeOutcome outcome;
            try
            {
                outcome = await SendOneAsync(member, body, requestKey, cancellationToken).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // an unexpected failure of one node is that node's failed vote, not a lost call
            catch (Exception ex)
#pragma warning restore CA1031
            {
                outcome = NodeOutcome.Failed(member, ex.Message);
            }

            lock (tally)
            {
                if (tally.Add(outcome) is { } agreed)
                {
                    decided.TrySetResult(agreed);
                }
                else if (tally.IsUnobtainable)
                {
                    decided.TrySetException(new CapabilityQuorumException($"quorum unobtainable for {Describe(callerDonId)}: {tally.Summary()}"));
                }
            }
        }
    }

    private string Describe(uint callerDonId) => $"{Id} on DON {CapabilityDon.Id} ({CapabilityDon.Name}) called for DON {callerDonId}";

    /// <summary>
    /// One member's request, in span don.request (its context goes with the request; the answer's context, the capability
    /// node's capability.execute span, becomes a link).
    /// </summary>
    private async Task<NodeOutcome> SendOneAsync(string member, byte[] body, string requestKey, CancellationToken cancellationToken)
    {
        using var activity = DonTelemetry.Source.StartActivity("don.request", ActivityKind.Client);
        activity?.SetTag(TelemetryTags.PeerAddress, member).SetTag(TelemetryTags.CapabilityId, Id);
        var outcome = await ReceiveOneAsync(member, body, requestKey, activity, cancellationToken).ConfigureAwait(false);
        if (outcome.Error is { } error)
        {
            activity.Fail(error);
        }

        return outcome;
    }

    private async Task<NodeOutcome> ReceiveOneAsync(string member, byte[] body, string requestKey, Activity? activity, CancellationToken cancellationToken)
    {
        try
        {
            var reply = await _transport.SendAsync(member, body, _options.RequestTimeout, cancellationToken).ConfigureAwait(false);
            if (activity is not null && reply.Trace != default)
            {
                activity.AddLink(new ActivityLink(reply.Trace, new ActivityTagsCollection { [TelemetryTags.LinkRelation] = "answered_by" }));
            }

            var response = DonJson.DeserializeResponse(reply.Body);
            if (response is null || response.RequestKey != requestKey || response.CapabilityDonId != CapabilityDon.Id)
            {
                return NodeOutcome.Failed(member, "answered for a different request");
            }

            return response.Error is { } error ? NodeOutcome.Failed(member, error) : NodeOutcome.Answered(member, response.Response);
        }
        catch (DonTransportException ex)
        {
            LogNodeFailed(_logger, member, Id, ex.Message);
            return NodeOutcome.Failed(member, ex.Message);
        }
        catch (System.Text.Json.JsonException ex)
        {
            return NodeOutcome.Failed(member, $"malformed answer: {ex.Message}");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return NodeOutcome.Failed(member, "cancelled");
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Node {Member} failed to answer {CapabilityId}: {Error}")]
    private static partial void LogNodeFailed(ILogger logger, string member, string capabilityId, string error);

    private sealed record NodeOutcome(string Member, byte[]? Response, string? Error)
    {
        public static NodeOutcome Answered(string member, byte[] response) => new(member, response, null);

        public static NodeOutcome Failed(string member, string error) => new(member, null, error);
    }

    /// <summary>Counts identical responses by digest; touched under its own lock by the per-node collectors.</summary>
    private sealed class ResponseTally(int required, int total)
    {
        private readonly Dictionary<string, int> _counts = new(StringComparer.Ordinal);
        private readonly List<string> _failures = [];
        private int _answered;

        public int Required { get; } = required;

        public bool IsUnobtainable => (_counts.Count == 0 ? 0 : _counts.Values.Max()) + (total - _answered - _failures.Count) < Required;

        public byte[]? Add(NodeOutcome outcome)
        {
            if (outcome.Response is null)
            {
                _failures.Add($"{outcome.Member}: {outcome.Error}");
                return null;
            }

            _answered++;
            var digest = Convert.ToHexString(SHA256.HashData(outcome.Response));
            var count = _counts[digest] = _counts.GetValueOrDefault(digest) + 1;
            return count >= Required ? outcome.Response : null;
        }

        public string Summary() =>
            $"{_failures.Count} of {total} nodes failed, need {Required} identical responses, " +
            $"best has {(_counts.Count == 0 ? 0 : _counts.Values.Max())} ({_counts.Count} distinct among {_answered} answers)" +
            (_failures.Count == 0 ? "" : $"; failures: {string.Join("; ", _failures)}");
    }
}
