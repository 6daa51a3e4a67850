using System.Globalization;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Nodes;
using CreAspire.Protocol.Mock;
using CreAspire.Protocol.Sdk;
using CreAspire.Protocol.Values;
using Google.Protobuf;

namespace CreAspire.Operations.Decoding;

/// <summary>
/// Turns what the nodes store as protobuf bytes into readable JSON: an execution's sdk.v1alpha.ExecutionResult (its
/// values.v1.Value as plain JSON) and mock@1.0.0's MockInput / MockOutput. Bytes are shown as 0x-hex; bytes that are
/// exactly a serialized MockOutput (they re-serialize to the same bytes) are also shown decoded.
/// </summary>
public static class PayloadDecoder
{
    // Relaxed escaping: the text is shown in a page (HTML-encoded there), and "+00:00" should not read "\u002B00:00".
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Compact JSON with the same escaping as <see cref="Format"/>.</summary>
    public static string Compact(JsonNode? node) => node is null ? "" : node.ToJsonString(new JsonSerializerOptions { Encoder = Indented.Encoder });

    /// <summary>The ExecutionResult in <paramref name="base64"/> (as GET /executions gives it) as JSON; null for no result.</summary>
    public static JsonNode? DecodeExecutionResult(string? base64)
    {
        if (string.IsNullOrEmpty(base64))
        {
            return null;
        }

        ExecutionResult result;
        try
        {
            result = ExecutionResult.Parser.ParseFrom(Convert.FromBase64String(base64));
        }
        catch (Exception ex) when (ex is FormatException or InvalidProtocolBufferException)
        {
            return new JsonObject { ["undecodable"] = ex.Message, ["base64"] = base64 };
        }

        return result.ResultCase switch
        {
            ExecutionResult.ResultOneofCase.Value => new JsonObject { ["value"] = ToJson(result.Value) },
            ExecutionResult.ResultOneofCase.Error => new JsonObject { ["error"] = result.Error },
            ExecutionResult.ResultOneofCase.TriggerSubscriptions => new JsonObject
            {
                ["triggerSubscriptions"] = new JsonArray(result.TriggerSubscriptions.Subscriptions
                    .Select(s => (JsonNode)new JsonObject { ["id"] = s.Id, ["method"] = s.Method, ["payloadType"] = s.Payload?.TypeUrl }).ToArray()),
            },
            _ => new JsonObject(),
        };
    }

    /// <summary>A mock@1.0.0 request payload (the MockInput bytes as stored by the capability node, hex) as JSON.</summary>
    public static JsonNode DecodeMockInput(string payloadHex)
    {
        try
        {
            var input = MockInput.Parser.ParseFrom(Convert.FromHexString(payloadHex));
            return new JsonObject { ["message"] = input.Message, ["data"] = Hex(input.Data) };
        }
        catch (Exception ex) when (ex is FormatException or InvalidProtocolBufferException)
        {
            return new JsonObject { ["undecodable"] = ex.Message, ["hex"] = "0x" + payloadHex };
        }
    }

    public static string Format(JsonNode? node) => node is null ? "" : node.ToJsonString(Indented);

    /// <summary>values.v1.Value as plain JSON (maps → objects, lists → arrays, big numbers and decimals → strings).</summary>
    public static JsonNode? ToJson(Value value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return value.ValueCase switch
        {
            Value.ValueOneofCase.StringValue => JsonValue.Create(value.StringValue),
            Value.ValueOneofCase.BoolValue => JsonValue.Create(value.BoolValue),
            Value.ValueOneofCase.Int64Value => JsonValue.Create(value.Int64Value),
            Value.ValueOneofCase.Float64Value => JsonValue.Create(value.Float64Value),
            Value.ValueOneofCase.BigintValue => JsonValue.Create(BigIntText(value.BigintValue)),
            Value.ValueOneofCase.DecimalValue => JsonValue.Create(DecimalText(value.DecimalValue)),
            Value.ValueOneofCase.TimeValue => JsonValue.Create(value.TimeValue.ToDateTime().ToString("O", CultureInfo.InvariantCulture)),
            Value.ValueOneofCase.BytesValue => BytesToJson(value.BytesValue),
            Value.ValueOneofCase.MapValue => new JsonObject(value.MapValue.Fields.OrderBy(f => f.Key, StringComparer.Ordinal)
                .Select(f => KeyValuePair.Create(f.Key, ToJson(f.Value)))),
            Value.ValueOneofCase.ListValue => new JsonArray(value.ListValue.Fields.Select(ToJson).ToArray()),
            _ => null,
        };
    }

    private static JsonNode BytesToJson(ByteString bytes)
    {
        if (bytes.Length > 0 && TryParseExactly(MockOutput.Parser, bytes, out MockOutput? output) && output!.InputSha256.Length == 32)
        {
            return new JsonObject
            {
                ["bytes"] = Hex(bytes),
                ["decodedAs"] = MockOutput.Descriptor.FullName,
                ["message"] = output.Message,
                ["data"] = Hex(output.Data),
                ["inputSha256"] = Hex(output.InputSha256),
            };
        }

        return JsonValue.Create(Hex(bytes));
    }

    private static bool TryParseExactly<T>(MessageParser<T> parser, ByteString bytes, out T? message) where T : IMessage<T>
    {
        try
        {
            message = parser.ParseFrom(bytes);
            return message.ToByteString().Equals(bytes);
        }
        catch (InvalidProtocolBufferException)
        {
            message = default;
            return false;
        }
    }

    private static string Hex(ByteString bytes) => "0x" + Convert.ToHexStringLower(bytes.Span);

    private static string BigIntText(BigInt value)
    {
        var magnitude = new BigInteger(value.AbsVal.Span, isUnsigned: true, isBigEndian: true);
        return (value.Sign < 0 ? -magnitude : magnitude).ToString(CultureInfo.InvariantCulture);
    }

    private static string DecimalText(CreAspire.Protocol.Values.Decimal value)
    {
        var coefficient = value.Coefficient is null ? "0" : BigIntText(value.Coefficient);
        return value.Exponent == 0 ? coefficient : $"{coefficient}e{value.Exponent.ToString(CultureInfo.InvariantCulture)}";
    }
}
