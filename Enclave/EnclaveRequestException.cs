namespace CreAspire.Enclave;

/// <summary>A compute request failed with an HTTP status the caller can act on (400, 401, 403, 429, 502, 504, 500).</summary>
public sealed class EnclaveRequestException(int statusCode, string message, Exception? inner = null) : Exception(message, inner)
{
    public int StatusCode { get; } = statusCode;
}
