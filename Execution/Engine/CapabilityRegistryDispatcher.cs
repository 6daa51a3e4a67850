using CreAspire.Execution.Contracts;
using CreAspire.Protocol.Capabilities;
using CreAspire.Protocol.Sdk;

namespace CreAspire.Execution.Engine;

/// <summary>
/// Dispatches a module's capability calls to a node's <see cref="ICapabilityRegistry"/>. An unknown capability id is
/// answered with CapabilityResponse.Error (the module decides what to do), as the original does.
/// </summary>
public sealed class CapabilityRegistryDispatcher(ICapabilityRegistry registry) : ICapabilityDispatcher
{
    public Task<CapabilityResponse> CallAsync(CapabilityRequest request, CapabilityRequestMetadata metadata, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!registry.TryGet(request.Id, out var capability))
        {
            return Task.FromResult(new CapabilityResponse { Error = new CapabilityNotFoundException(request.Id, registry.Ids).Message });
        }

        return capability.ExecuteAsync(new CapabilityCall(request.Id, request.Method, request.Payload, metadata), cancellationToken);
    }
}
