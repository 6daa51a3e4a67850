using System.Diagnostics;
using CreAspire.Protocol.Telemetry;
using CreAspire.Protocol.Topology;

namespace CreAspire.Enclave.Quorum;

/// <summary>
/// Identical compute requests (same hash) collected from workflow-DON members. One lock owns the signer sets; the run
/// is claimed once (compare-and-swap) and every waiter awaits the same <see cref="Result"/>.
/// </summary>
internal sealed class PendingComputeRequest(string hash, ConfidentialWorkflowRequest request, DateTimeOffset createdAt)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<uint, HashSet<string>> _signersByDon = [];
    private readonly List<ActivityContext> _requesterSpans = [];
    private int _runClaimed;

    public string Hash { get; } = hash;

    public ConfidentialWorkflowRequest Request { get; } = request;

    public DateTimeOffset CreatedAt { get; } = createdAt;

    /// <summary>Completed when some DON has F+1 distinct signers.</summary>
    public TaskCompletionSource QuorumReached { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The one run's answer (or its <see cref="EnclaveRequestException"/>), shared by every waiter.</summary>
    public TaskCompletionSource<ConfidentialWorkflowResponse> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The span of the run (enclave.run), once it started and someone records it; late signers link to it.</summary>
    public ActivityContext RunSpan { get; set; }

    /// <summary>
    /// Adds a signer (idempotent) and returns the DON's count and requirement after the addition.
    /// <paramref name="requesterSpan"/> (the request's enclave.quorum span, default when not recorded) is kept so the run
    /// can link to every request that made up its quorum.
    /// </summary>
    public (int Signatures, int Required) AddSigner(DonInfo don, string signer, ActivityContext requesterSpan = default)
    {
        lock (_gate)
        {
            if (!_signersByDon.TryGetValue(don.Id, out var signers))
            {
                _signersByDon[don.Id] = signers = new HashSet<string>(StringComparer.Ordinal);
            }

            signers.Add(signer);
            if (requesterSpan != default)
            {
                _requesterSpans.Add(requesterSpan);
            }

            return (signers.Count, don.F + 1);
        }
    }

    /// <summary>The spans of the requests joined so far, except <paramref name="except"/> (the run's parent).</summary>
    public ActivityLink[] RequesterLinks(ActivityContext except)
    {
        lock (_gate)
        {
            return _requesterSpans.Where(c => c != except)
                .Select(c => new ActivityLink(c, new ActivityTagsCollection { [TelemetryTags.LinkRelation] = "quorum_member" }))
                .ToArray();
        }
    }

    public int SignaturesFrom(DonInfo don)
    {
        lock (_gate)
        {
            return _signersByDon.TryGetValue(don.Id, out var signers) ? signers.Count : 0;
        }
    }

    /// <summary>True for exactly one caller: the one that starts the run.</summary>
    public bool TryClaimRun() => Interlocked.CompareExchange(ref _runClaimed, 1, 0) == 0;

    /// <summary>Nothing is running for this group and its waiters are gone or answered.</summary>
    public bool IsExpired(DateTimeOffset now, TimeSpan keepFor) =>
        now - CreatedAt > keepFor && (Result.Task.IsCompleted || !QuorumReached.Task.IsCompleted);
}
