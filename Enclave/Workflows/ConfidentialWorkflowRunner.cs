using CreAspire.Enclave.Identity;
using CreAspire.Enclave.Relay;
using CreAspire.Execution.Contracts;
using CreAspire.Protocol.Capabilities;
using CreAspire.Protocol.Sdk;
using Google.Protobuf;

namespace CreAspire.Enclave.Workflows;

/// <summary>
/// Runs one confidential workflow request (c-c-c app.go): validate, fetch and check the binary, compile it, execute with
/// the enclave's gateway-backed dispatcher and secrets, and wrap the ExecutionResult.
/// </summary>
public sealed class ConfidentialWorkflowRunner(
    WorkflowBinaryFetcher fetcher,
    IWorkflowModuleFactory modules,
    RelayGatewayClient gateway,
    EnclaveAttestor attestor,
    ExecutionLog log,
    TimeProvider time,
    IOptions<EnclaveOptions> options,
    ILogger<ConfidentialWorkflowRunner> logger)
{
    /// <summary>400 unless workflow_id, binary_url, binary_hash and execute_request are present.</summary>
    public static void Validate(ConfidentialWorkflowRequest request)
    {
        var execution = request.Execution
            ?? throw new EnclaveRequestException(StatusCodes.Status400BadRequest, "request has no execution");
        var missing = new List<string>();
        if (string.IsNullOrEmpty(execution.WorkflowId)) missing.Add("workflow_id");
        if (string.IsNullOrEmpty(execution.BinaryUrl)) missing.Add("binary_url");
        if (execution.BinaryHash.IsEmpty) missing.Add("binary_hash");
        if (execution.ExecuteRequest.IsEmpty) missing.Add("execute_request");
        if (missing.Count > 0)
        {
            throw new EnclaveRequestException(StatusCodes.Status400BadRequest, $"execution is missing {string.Join(", ", missing)}");
        }
    }

    public async Task<ConfidentialWorkflowResponse> RunAsync(ConfidentialWorkflowRequest request, string requestHash, CancellationToken cancellationToken)
    {
        Validate(request);
        var execution = request.Execution;
        ExecuteRequest executeRequest;
        try
        {
            executeRequest = ExecuteRequest.Parser.ParseFrom(execution.ExecuteRequest);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new EnclaveRequestException(StatusCodes.Status400BadRequest, $"execute_request is not a protobuf ExecuteRequest: {ex.Message}", ex);
        }

        var wasm = await fetcher.FetchAsync(execution.BinaryUrl, execution.BinaryHash.ToByteArray(), cancellationToken).ConfigureAwait(false);
        IWorkflowModule module;
        try
        {
            module = modules.Create(wasm);
        }
        catch (InvalidOperationException ex)
        {
            throw new EnclaveRequestException(StatusCodes.Status400BadRequest, $"binary at {execution.BinaryUrl} is not a valid workflow module: {ex.Message}", ex);
        }

        var scope = ExecutionScope.Create(execution);
        var metadata = new CapabilityRequestMetadata
        {
            WorkflowId = execution.WorkflowId,
            WorkflowOwner = scope.Owner,
            WorkflowExecutionId = execution.ExecutionId,
        };
        var context = new ModuleExecutionContext(
            execution.ExecutionId,
            metadata,
            new EnclaveCapabilityDispatcher(scope, gateway, attestor),
            new EnclaveSecretsProvider(scope, gateway, attestor),
            logger);

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(options.Value.ExecutionTimeout);
        var startedAt = time.GetUtcNow();
        log.Record(new ExecutionEntry(execution.ExecutionId, execution.WorkflowId, requestHash, startedAt, "started", null));
        try
        {
            var result = await module.ExecuteAsync(executeRequest, context, deadline.Token).ConfigureAwait(false);
            log.Record(new ExecutionEntry(execution.ExecutionId, execution.WorkflowId, requestHash, startedAt, "succeeded", null));
            return new ConfidentialWorkflowResponse { ExecutionResult = result.ToByteString() };
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            log.Record(new ExecutionEntry(execution.ExecutionId, execution.WorkflowId, requestHash, startedAt, "failed", "timeout"));
            throw new EnclaveRequestException(StatusCodes.Status504GatewayTimeout, $"workflow {execution.WorkflowId} execution {execution.ExecutionId} did not finish within {options.Value.ExecutionTimeout}");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            log.Record(new ExecutionEntry(execution.ExecutionId, execution.WorkflowId, requestHash, startedAt, "failed", ex.Message));
            throw new EnclaveRequestException(StatusCodes.Status500InternalServerError, $"workflow {execution.WorkflowId} execution {execution.ExecutionId} failed: {ex.Message}", ex);
        }
    }
}
