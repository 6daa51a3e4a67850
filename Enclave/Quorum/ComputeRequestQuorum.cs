using System.Collections.Concurrent;
using System.Diagnostics;
using CreAspire.Enclave.Workflows;
using CreAspire.Protocol.Capabilities;
using CreAspire.Protocol.Telemetry;
using CreAspire.Protocol.Topology;
using Google.Protobuf;

namespace CreAspire.Enclave.Quorum;

/// <summary>
/// The enclave host's batching (c-c-c host.go): signed requests are grouped by hash; the workflow runs once, when F+1
/// distinct members of one workflow DON (per the registry) have signed the same bytes; every waiting node gets the same
/// answer. Different requests for the same execution id have different hashes and are never merged.
/// </summary>
public sealed class ComputeRequestQuorum(
    ITopologySource topology,
    ConfidentialWorkflowRunner runner,
    TimeProvider time,
    IOptions<EnclaveOptions> options,
    IHostApplicationLifetime lifetime,
    ILogger<ComputeRequestQuorum> logger) : IDisposable
{
    private readonly ConcurrentDictionary<string, PendingComputeRequest> _pending = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _slots = new(options.Value.MaxConcurrentExecutions, options.Value.MaxConcurrentExecutions);
    private readonly EnclaveOptions _options = options.Value;

    /// <summary>Groups currently held (waiting for quorum, running, or kept for late signers).</summary>
    public int PendingCount => _pending.Count;

    /// <summary>
    /// Joins the request's group and waits for the group's one run. Span enclave.quorum (child of the node's HTTP request,
    /// so of its confidential.delegate): the request that completes the quorum parents enclave.run, which links to the
    /// other members' spans; requests joining after the run started link to it instead. The trace context travels in the
    /// HTTP headers, never in the signed request: honest nodes must send byte-identical requests to be grouped.
    /// </summary>
    public async Task<ConfidentialWorkflowResponse> SubmitAsync(SignedComputeRequest signed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(signed);
        using var activity = EnclaveTelemetry.Source.StartActivity("enclave.quorum", ActivityKind.Server);
        activity?.SetTag(TelemetryTags.ExecutionId, signed.ApplicationRequestId).SetTag(TelemetryTags.PeerAddress, signed.Signer);
        try
        {
            return await SubmitCoreAsync(signed, activity, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (activity is not null)
        {
            activity.Fail(ex);
            throw;
        }
    }

    private async Task<ConfidentialWorkflowResponse> SubmitCoreAsync(SignedComputeRequest signed, Activity? activity, CancellationToken cancellationToken)
    {
        ConfidentialWorkflowRequest request;
        string hash, signer;
        DonInfo don;
        try
        {
            (request, hash, signer) = Authenticate(signed);
            var snapshot = await topology.GetSnapshotAsync(cancellationToken).ConfigureAwait(false);
            don = snapshot.WorkflowDonOf(signer)
                ?? throw new EnclaveRequestException(StatusCodes.Status403Forbidden, $"signer {signer} is not a member of any workflow DON in the capabilities registry");
        }
        catch (EnclaveRequestException)
        {
            RecordQuorum(activity, "rejected");
            throw;
        }

        Sweep();
        var (pending, signatures, required) = Join(hash, request, don, signer, activity?.Context ?? default);
        logger.LogInformation("Compute request {Hash} for execution {ExecutionId}: {Signatures} of {Required} signatures from DON {DonId} (signer {Signer})",
            hash, signed.ApplicationRequestId, signatures, required, don.Id, signer);
        activity?.SetTag(TelemetryTags.WorkflowId, request.Execution.WorkflowId)
            .SetTag("enclave.request_hash", hash)
            .SetTag(TelemetryTags.DonId, don.Id)
            .SetTag(TelemetryTags.DonF, don.F)
            .SetTag(TelemetryTags.QuorumRequired, required)
            .SetTag(TelemetryTags.QuorumReceived, signatures);
        var started = signatures >= required && pending.TryClaimRun();
        if (started)
        {
            pending.QuorumReached.TrySetResult();
            _ = Task.Run(() => RunAsync(pending), CancellationToken.None);
        }

        try
        {
            await pending.QuorumReached.Task.WaitAsync(_options.QuorumTimeout, time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            RecordQuorum(activity, "timeout");
            throw new EnclaveRequestException(StatusCodes.Status504GatewayTimeout,
                $"received {pending.SignaturesFrom(don)} of {required} required signatures within {_options.QuorumTimeout} for execution {signed.ApplicationRequestId} (request {hash})");
        }

        RecordQuorum(activity, "reached");
        activity?.SetTag(TelemetryTags.QuorumRole, started ? "started" : "joined");
        try
        {
            return await pending.Result.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (!started && activity is not null && pending.RunSpan != default)
            {
                activity.AddLink(new ActivityLink(pending.RunSpan, new ActivityTagsCollection { [TelemetryTags.LinkRelation] = "executed_by" }));
            }
        }
    }

    /// <summary>outcome: reached, timeout (too few signatures in time) or rejected (malformed, bad signature, unknown signer).</summary>
    private static void RecordQuorum(Activity? activity, string outcome)
    {
        EnclaveTelemetry.QuorumOutcomes.Add(1, new KeyValuePair<string, object?>(TelemetryTags.Outcome, outcome));
        activity?.SetTag(TelemetryTags.QuorumOutcome, outcome);
    }

    public void Dispose() => _slots.Dispose();

    /// <summary>Adds the signer to the group held for <paramref name="hash"/>, retrying if a sweep retired that group meanwhile.</summary>
    private (PendingComputeRequest Pending, int Signatures, int Required) Join(string hash, ConfidentialWorkflowRequest request, DonInfo don, string signer, ActivityContext requesterSpan)
    {
        while (true)
        {
            var pending = _pending.GetOrAdd(hash, h => new PendingComputeRequest(h, request, time.GetUtcNow()));
            var (signatures, required) = pending.AddSigner(don, signer, requesterSpan);
            if (_pending.TryGetValue(hash, out var current) && ReferenceEquals(current, pending))
            {
                return (pending, signatures, required);
            }
        }
    }

    /// <summary>Decodes, recomputes the hash and recovers the signer: 400 for malformed input, 401 for a bad signature.</summary>
    private static (ConfidentialWorkflowRequest Request, string Hash, string Signer) Authenticate(SignedComputeRequest signed)
    {
        if (signed.AppId != CapabilityIds.ConfidentialWorkflows)
        {
            throw new EnclaveRequestException(StatusCodes.Status400BadRequest, $"app_id '{signed.AppId}' is not served here; use '{CapabilityIds.ConfidentialWorkflows}'");
        }

        if (string.IsNullOrEmpty(signed.ApplicationRequestId))
        {
            throw new EnclaveRequestException(StatusCodes.Status400BadRequest, "application_request_id (the execution id) is empty");
        }

        byte[] publicData;
        ConfidentialWorkflowRequest request;
        try
        {
            publicData = Convert.FromBase64String(signed.PublicData ?? "");
            request = ConfidentialWorkflowRequest.Parser.ParseFrom(publicData);
        }
        catch (Exception ex) when (ex is FormatException or InvalidProtocolBufferException)
        {
            throw new EnclaveRequestException(StatusCodes.Status400BadRequest, $"public_data is not base64 of a ConfidentialWorkflowRequest: {ex.Message}", ex);
        }

        ConfidentialWorkflowRunner.Validate(request);
        var hash = ComputeRequestSigning.Hash(signed.AppId, signed.ApplicationRequestId, publicData);
        var signer = ComputeRequestSigning.RecoverSigner(hash, signed.Signature ?? "")
            ?? throw new EnclaveRequestException(StatusCodes.Status401Unauthorized, "signature is not a valid EIP-191 signature over the compute request hash");
        if (!string.IsNullOrEmpty(signed.Signer) && !string.Equals(signed.Signer, signer, StringComparison.OrdinalIgnoreCase))
        {
            throw new EnclaveRequestException(StatusCodes.Status401Unauthorized, $"signature recovers to {signer}, not to the claimed signer {signed.Signer}");
        }

        return (request, Convert.ToHexStringLower(hash), signer);
    }

    /// <summary>
    /// The run, detached from any one waiter's cancellation; bounded by the concurrency slots. Its span, enclave.run, is a
    /// child of the request that completed the quorum (the current activity when the run was started) and links to the
    /// other requests of the quorum.
    /// </summary>
    private async Task RunAsync(PendingComputeRequest pending)
    {
        using var activity = StartRunSpan(pending);
        var startedAt = Stopwatch.GetTimestamp();
        if (!await _slots.WaitAsync(0).ConfigureAwait(false))
        {
            _pending.TryRemove(pending.Hash, out _);
            var busy = new EnclaveRequestException(StatusCodes.Status429TooManyRequests,
                $"enclave at capacity: {_options.MaxConcurrentExecutions} executions are running; retry later");
            activity.Fail(busy);
            pending.Result.TrySetException(busy);
            return;
        }

        var outcome = "failed";
        try
        {
            var response = await runner.RunAsync(pending.Request, pending.Hash, lifetime.ApplicationStopping).ConfigureAwait(false);
            outcome = "succeeded";
            pending.Result.TrySetResult(response);
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Compute request {Hash} failed: {Message}", pending.Hash, ex.Message);
            activity.Fail(ex);
            pending.Result.TrySetException(ex is EnclaveRequestException
                ? ex
                : new EnclaveRequestException(StatusCodes.Status500InternalServerError, $"execution failed: {ex.Message}", ex));
        }
        finally
        {
            _slots.Release();
            activity?.SetTag(TelemetryTags.Outcome, outcome);
            EnclaveTelemetry.RunDuration.Record(Stopwatch.GetElapsedTime(startedAt).TotalSeconds, new KeyValuePair<string, object?>(TelemetryTags.Outcome, outcome));
        }
    }

    private static Activity? StartRunSpan(PendingComputeRequest pending)
    {
        if (!EnclaveTelemetry.Source.HasListeners())
        {
            return null;
        }

        var execution = pending.Request.Execution;
        var activity = EnclaveTelemetry.Source.StartActivity("enclave.run", ActivityKind.Internal, parentContext: default,
            links: pending.RequesterLinks(except: Activity.Current?.Context ?? default));
        activity?.SetTag(TelemetryTags.WorkflowId, execution.WorkflowId)
            .SetTag(TelemetryTags.ExecutionId, execution.ExecutionId)
            .SetTag("enclave.request_hash", pending.Hash);
        pending.RunSpan = activity?.Context ?? default;
        return activity;
    }

    private void Sweep()
    {
        var now = time.GetUtcNow();
        var keepFor = _options.QuorumTimeout + _options.ResultRetention;
        foreach (var (hash, pending) in _pending)
        {
            if (pending.IsExpired(now, keepFor))
            {
                _pending.TryRemove(new KeyValuePair<string, PendingComputeRequest>(hash, pending));
            }
        }
    }
}
