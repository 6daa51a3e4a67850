using System.Text.Json;
using CreAspire.Protocol.Json;
using CreAspire.Protocol.JsonRpc;

namespace CreAspire.Enclave.Apis;

/// <summary>
/// Reads a <c>POST /requests</c> body: JSON text, then the signed compute request's shape. Each failure is a 400
/// <see cref="EnclaveRequestException"/> saying what is wrong (the framework's own binding answered 400 with no body).
/// </summary>
internal static class SignedComputeRequestReader
{
    private const string Shape = "a JSON object of strings app_id, application_request_id, public_data (base64), signer and signature (0x hex)";

    public static async Task<SignedComputeRequest> ReadAsync(Stream body, CancellationToken cancellationToken)
    {
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(body, cancellationToken: cancellationToken);
        }
        catch (JsonException ex)
        {
            throw Invalid($"request body is not JSON: {ex.Message}");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw Invalid($"request body must be {Shape}, not {JsonKinds.Describe(document.RootElement.ValueKind)}");
            }

            try
            {
                return document.RootElement.Deserialize<SignedComputeRequest>(RelayJson.Options) ?? throw Invalid($"request body must be {Shape}");
            }
            catch (JsonException ex)
            {
                // The serializer's message names .NET types; the path says which member.
                throw Invalid($"request body member {ex.Path ?? "$"} is not a string; the body must be {Shape}");
            }
            catch (InvalidOperationException)
            {
                throw Invalid($"request body holds a string that is not Unicode text (a lone surrogate escape); the body must be {Shape}");
            }
        }
    }


    private static EnclaveRequestException Invalid(string message) => new(StatusCodes.Status400BadRequest, message);
}
