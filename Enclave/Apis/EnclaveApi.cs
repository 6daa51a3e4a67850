using CreAspire.Enclave.Identity;
using CreAspire.Enclave.Quorum;
using CreAspire.Enclave.Workflows;
using Google.Protobuf;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CreAspire.Enclave.Apis;

/// <summary>The enclave's HTTP surface: signed compute requests, its identity, and its run count.</summary>
public static class EnclaveApi
{
    public static IEndpointRouteBuilder MapEnclaveApi(this IEndpointRouteBuilder app)
    {
        app.MapPost(ConfidentialWorkflowsCapability.RequestsPath, SubmitAsync);
        app.MapGet("/identity", GetIdentity);
        app.MapGet("/executions", GetExecutions);
        return app;
    }

    /// <summary>Waits for F+1 signatures of the same request, then answers with the one run's result.</summary>
    public static async Task<Results<Ok<ComputeResponse>, ProblemHttpResult>> SubmitAsync(HttpRequest http, ComputeRequestQuorum quorum, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        try
        {
            var request = await SignedComputeRequestReader.ReadAsync(http.Body, cancellationToken);
            var response = await quorum.SubmitAsync(request, cancellationToken);
            return TypedResults.Ok(new ComputeResponse(Convert.ToBase64String(response.ToByteArray())));
        }
        catch (EnclaveRequestException ex)
        {
            return TypedResults.Problem(detail: ex.Message, statusCode: ex.StatusCode, title: ReasonPhrases(ex.StatusCode));
        }
    }

    /// <summary>What relay nodes must trust: the trusted PCR sets (JSON) and the CA root (PEM).</summary>
    public static Ok<EnclaveIdentityResponse> GetIdentity(EnclaveAttestor attestor) =>
        TypedResults.Ok(new EnclaveIdentityResponse(attestor.ModuleId, attestor.TrustedPcrsJson, attestor.CaRootsPem));

    public static Ok<ExecutionsResponse> GetExecutions(ExecutionLog log) =>
        TypedResults.Ok(new ExecutionsResponse(log.Count, log.Recent));

    private static string ReasonPhrases(int statusCode) => Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(statusCode);
}

/// <summary>GET /identity.</summary>
public sealed record EnclaveIdentityResponse(string ModuleId, string TrustedPcrsJson, string CaRootsPem);

/// <summary>GET /executions: runs started since the process began, and the most recent entries.</summary>
public sealed record ExecutionsResponse(long Count, IReadOnlyList<ExecutionEntry> Recent);
