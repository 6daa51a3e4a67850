using System.Diagnostics;
using CreAspire.Execution.Contracts;
using CreAspire.Protocol.Capabilities;
using CreAspire.Protocol.Confidential;
using CreAspire.Protocol.Sdk;
using CreAspire.Protocol.Telemetry;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace CreAspire.WorkflowNode.Routing;

/// <summary>What a <see cref="ConfidentialModule"/> needs to describe its workflow to the enclave.</summary>
/// <param name="WorkflowOwner">Owner address as lower-case hex without 0x (40 chars), as the engine config and DB hold it.</param>
/// <param name="BinaryUrl">The on-chain binary URL (http(s), fetched by the enclave).</param>
/// <param name="BinaryHash">sha256 of the binary artifact exactly as served (the base64 text bytes).</param>
public sealed record ConfidentialWorkflowDescriptor(
    string WorkflowId,
    string WorkflowOwner,
    string WorkflowName,
    string WorkflowTag,
    string BinaryUrl,
    byte[] BinaryHash,
    IReadOnlyList<WorkflowSecretIdentifier> VaultDonSecrets);

/// <summary>
/// The module of a confidential workflow: every execute request (subscribe and trigger) goes to the node's
/// confidential-workflows@1.0.0-alpha capability, which runs it in the enclave. Messages as the original's Gen-1
/// ConfidentialModule.Execute.
/// </summary>
public sealed class ConfidentialModule(ConfidentialWorkflowDescriptor workflow, ICapabilityRegistry capabilities) : IWorkflowModule
{
    /// <summary>Source of the confidential.delegate span: one per execute request sent to the enclave.</summary>
    public const string ActivitySourceName = "CreAspire.WorkflowNode";

    private static readonly ActivitySource Source = new(ActivitySourceName);

    public ConfidentialWorkflowDescriptor Workflow { get; } = workflow;

    public string ExecutionPath => ExecutionPaths.Confidential;

    public async Task<ExecutionResult> ExecuteAsync(ExecuteRequest request, ModuleExecutionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        using var activity = Source.StartActivity("confidential.delegate", ActivityKind.Client);
        activity?.SetTag(TelemetryTags.WorkflowId, Workflow.WorkflowId)
            .SetTag(TelemetryTags.ExecutionId, context.ExecutionId)
            .SetTag(TelemetryTags.CapabilityId, CapabilityIds.ConfidentialWorkflows)
            .SetTag("workflow.request", request.RequestCase == ExecuteRequest.RequestOneofCase.Subscribe ? "subscribe" : "trigger");
        try
        {
            return await DelegateAsync(request, context, cancellationToken);
        }
        catch (Exception ex) when (activity is not null)
        {
            activity.Fail(ex);
            throw;
        }
    }

    private async Task<ExecutionResult> DelegateAsync(ExecuteRequest request, ModuleExecutionContext context, CancellationToken cancellationToken)
    {
        IExecutableCapability capability;
        try
        {
            capability = capabilities.Get(CapabilityIds.ConfidentialWorkflows);
        }
        catch (CapabilityNotFoundException ex)
        {
            throw new ConfidentialModuleException($"failed to get confidential-workflows capability: {ex.Message}", ex);
        }

        var call = BuildCall(request, context);
        CapabilityResponse response;
        try
        {
            response = await capability.ExecuteAsync(call, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw new ConfidentialModuleException($"confidential-workflows capability execution failed: {ex.Message}", ex);
        }

        return ReadResult(response);
    }

    /// <summary>The capability call for one execute request (exposed for tests and tracing).</summary>
    public CapabilityCall BuildCall(ExecuteRequest request, ModuleExecutionContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        var input = new ConfidentialWorkflowRequest
        {
            Execution = new WorkflowExecution
            {
                WorkflowId = Workflow.WorkflowId,
                BinaryUrl = Workflow.BinaryUrl,
                BinaryHash = ByteString.CopyFrom(Workflow.BinaryHash),
                ExecuteRequest = request.ToByteString(),
                Owner = Workflow.WorkflowOwner,
                ExecutionId = context.ExecutionId,
            },
        };
        foreach (var secret in Workflow.VaultDonSecrets)
        {
            input.VaultDonSecrets.Add(new SecretIdentifier
            {
                Key = secret.Key,
                // VaultDON treats "main" as the default namespace.
                Namespace = string.IsNullOrEmpty(secret.Namespace) ? CapabilityIds.DefaultSecretNamespace : secret.Namespace,
            });
        }

        var metadata = context.Metadata with
        {
            WorkflowId = Workflow.WorkflowId,
            WorkflowOwner = Workflow.WorkflowOwner,
            WorkflowName = Workflow.WorkflowName,
            WorkflowTag = Workflow.WorkflowTag,
            WorkflowExecutionId = context.ExecutionId,
        };
        return new CapabilityCall(CapabilityIds.ConfidentialWorkflows, CapabilityIds.ExecuteMethod, Any.Pack(input), metadata);
    }

    private static ExecutionResult ReadResult(CapabilityResponse response)
    {
        switch (response.ResponseCase)
        {
            case CapabilityResponse.ResponseOneofCase.Error:
                throw new ConfidentialModuleException($"confidential-workflows capability execution failed: {response.Error}");
            case CapabilityResponse.ResponseOneofCase.Payload when response.Payload is not null:
                break;
            default:
                throw new ConfidentialModuleException("confidential-workflows capability returned nil payload");
        }

        if (!response.Payload.Is(ConfidentialWorkflowResponse.Descriptor))
        {
            throw new ConfidentialModuleException(
                $"failed to unmarshal capability response: payload is '{response.Payload.TypeUrl}', expected a {ConfidentialWorkflowResponse.Descriptor.FullName}");
        }

        ConfidentialWorkflowResponse output;
        try
        {
            output = response.Payload.Unpack<ConfidentialWorkflowResponse>();
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new ConfidentialModuleException($"failed to unmarshal capability response: {ex.Message}", ex);
        }

        try
        {
            return ExecutionResult.Parser.ParseFrom(output.ExecutionResult);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new ConfidentialModuleException($"failed to unmarshal ExecutionResult: {ex.Message}", ex);
        }
    }
}

/// <summary>A confidential execution could not be delegated to the enclave; the message is the original's.</summary>
public sealed class ConfidentialModuleException : InvalidOperationException
{
    public ConfidentialModuleException(string message) : base(message)
    {
    }

    public ConfidentialModuleException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
