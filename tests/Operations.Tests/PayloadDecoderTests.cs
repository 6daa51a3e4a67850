using System.Security.Cryptography;
using System.Text.Json.Nodes;
using CreAspire.Operations.Decoding;
using CreAspire.Protocol.Mock;
using CreAspire.Protocol.Sdk;
using CreAspire.Protocol.Values;
using Google.Protobuf;
using Timestamp = Google.Protobuf.WellKnownTypes.Timestamp;
using Value = CreAspire.Protocol.Values.Value;

namespace CreAspire.Operations.Tests;

public sealed class PayloadDecoderTests
{
    [Fact]
    public void A_values_map_becomes_plain_json_with_big_numbers_and_decimals_as_strings()
    {
        var map = new CreAspire.Protocol.Values.Map();
        map.Fields["name"] = new Value { StringValue = "x" };
        map.Fields["count"] = new Value { Int64Value = -7 };
        map.Fields["ok"] = new Value { BoolValue = true };
        map.Fields["big"] = new Value { BigintValue = new BigInt { AbsVal = ByteString.CopyFrom(0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00), Sign = -1 } };
        map.Fields["price"] = new Value { DecimalValue = new CreAspire.Protocol.Values.Decimal { Coefficient = new BigInt { AbsVal = ByteString.CopyFrom(0x04, 0xD2) }, Exponent = -2 } };
        map.Fields["at"] = new Value { TimeValue = Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 12, 2, 3, 4, 5, TimeSpan.Zero)) };
        map.Fields["list"] = new Value { ListValue = new CreAspire.Protocol.Values.List { Fields = { new Value { Float64Value = 1.5 }, new Value { BytesValue = ByteString.CopyFrom(0xAB) } } } };

        var json = Decode(new ExecutionResult { Value = new Value { MapValue = map } })!["value"]!;

        Assert.Equal("""{"at":"2026-12-02T03:04:05.0000000Z","big":"-18446744073709551616","count":-7,"list":[1.5,"0xab"],"name":"x","ok":true,"price":"1234e-2"}""", PayloadDecoder.Compact(json));
    }

    [Fact]
    public void Bytes_that_are_exactly_a_MockOutput_are_shown_decoded_beside_their_hex()
    {
        var input = new MockInput { Message = "hello-cron", Data = ByteString.CopyFrom(1, 2) };
        var output = new MockOutput { Message = input.Message, Data = input.Data, InputSha256 = ByteString.CopyFrom(SHA256.HashData(input.ToByteArray())) };

        var value = Decode(new ExecutionResult { Value = new Value { BytesValue = output.ToByteString() } })!["value"]!;

        Assert.Equal("capabilities.mock.v1.MockOutput", value["decodedAs"]!.GetValue<string>());
        Assert.Equal("hello-cron", value["message"]!.GetValue<string>());
        Assert.Equal("0x0102", value["data"]!.GetValue<string>());
        Assert.Equal("0x" + Convert.ToHexStringLower(output.ToByteArray()), value["bytes"]!.GetValue<string>());
    }

    [Fact]
    public void Other_bytes_stay_hex_and_errors_and_garbage_are_named()
    {
        Assert.Equal("\"0x0102\"", Decode(new ExecutionResult { Value = new Value { BytesValue = ByteString.CopyFrom(1, 2) } })!["value"]!.ToJsonString());
        Assert.Equal("mock@1.0.0 failed: down", Decode(new ExecutionResult { Error = "mock@1.0.0 failed: down" })!["error"]!.GetValue<string>());
        Assert.NotNull(PayloadDecoder.DecodeExecutionResult("not base64!")!["undecodable"]);
        Assert.Null(PayloadDecoder.DecodeExecutionResult(null));
    }

    [Fact]
    public void A_mock_payload_is_decoded_as_MockInput()
    {
        var input = new MockInput { Message = "confidential-mock", Data = ByteString.CopyFrom(0xFF) };

        var json = PayloadDecoder.DecodeMockInput(Convert.ToHexStringLower(input.ToByteArray()));

        Assert.Equal("""{"message":"confidential-mock","data":"0xff"}""", json.ToJsonString());
    }

    private static JsonNode? Decode(ExecutionResult result) => PayloadDecoder.DecodeExecutionResult(Convert.ToBase64String(result.ToByteArray()));
}
