using System.Text.Json;

namespace CreAspire.Protocol.Json;

/// <summary>The words refusals use for what a JSON value is ("must be an object, not an array").</summary>
public static class JsonKinds
{
    /// <summary>"an object", "an array", "a string", "a number", "a boolean" or "null".</summary>
    public static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };
}
