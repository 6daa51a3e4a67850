using CreAspire.Chain.Abi;
using CreAspire.Chain.Abi.Encoders;
using CreAspire.Chain.Crypto;

namespace CreAspire.Chain.Tests.Abi;

public class EventAndErrorDecodingTests
{
    [Fact]
    public void Erc20_transfer_event_decodes_indexed_topics_and_data()
    {
        var transfer = new AbiEvent("Transfer",
        [
            new AbiParameter("from", AbiType.Parse("address"), Indexed: true),
            new AbiParameter("to", AbiType.Parse("address"), Indexed: true),
            new AbiParameter("value", AbiType.Parse("uint256")),
        ]);
        Assert.Equal("ddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef", Hex.Encode(transfer.Topic0));

        var decoded = transfer.Decode(
            [transfer.Topic0, Hex.Decode("000000000000000000000000f39fd6e51aad88f6f4ce6ab8827279cfffb92266"), Hex.Decode("00000000000000000000000070997970c51812dc3a010c7d01b50e0d17dc79c8")],
            Hex.Decode("00000000000000000000000000000000000000000000000000000000000003e8"));

        Assert.Equal("0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266", decoded["from"].AsAddress());
        Assert.Equal("0x70997970c51812dc3a010c7d01b50e0d17dc79c8", decoded["to"].AsAddress());
        Assert.Equal(1000, (int)decoded["value"].AsInteger());
    }

    [Fact]
    public void Custom_error_decodes_into_its_name_and_named_arguments()
    {
        var error = new AbiError("AttributesTooLong", [new AbiParameter("provided", AbiType.Parse("uint256")), new AbiParameter("max", AbiType.Parse("uint256"))]);
        var abi = new ContractAbi([], [], [error]);
        byte[] data = [.. error.Selector, .. SequenceEncoder.Encode([AbiType.Parse("uint256"), AbiType.Parse("uint256")], [2048, 1024])];

        Assert.Equal("AttributesTooLong(provided: 2048, max: 1024)", abi.DecodeRevert(data)?.ToString());
    }

    [Fact]
    public void Solidity_error_string_decodes_as_Error_reason()
    {
        // revert("Not enough Ether provided.") as shown in the Solidity documentation.
        var data = Hex.Decode(
            "0x08c379a0" +
            "0000000000000000000000000000000000000000000000000000000000000020" +
            "000000000000000000000000000000000000000000000000000000000000001a" +
            "4e6f7420656e6f7567682045746865722070726f76696465642e000000000000");

        Assert.Equal("Error(reason: \"Not enough Ether provided.\")", new ContractAbi([], [], []).DecodeRevert(data)?.ToString());
    }

    [Fact]
    public void Unknown_revert_selector_decodes_to_null()
    {
        Assert.Null(new ContractAbi([], [], []).DecodeRevert(Hex.Decode("0xdeadbeef")));
    }
}

public class ContractAbiTests
{
    [Fact]
    public void Overloaded_functions_are_found_by_name_and_by_signature()
    {
        var abi = ContractAbi.FromJson("""
            [
              {"type":"function","name":"f","inputs":[{"name":"a","type":"uint256"}],"outputs":[]},
              {"type":"function","name":"f","inputs":[{"name":"a","type":"tuple[]","components":[{"name":"x","type":"string"},{"name":"y","type":"bytes32"}]}],"outputs":[]},
              {"type":"error","name":"Nope","inputs":[{"name":"why","type":"string"}]}
            ]
            """);

        Assert.Equal("f(uint256)", abi.Function("f").Signature);
        Assert.Equal("f((string,bytes32)[])", abi.Function("f((string,bytes32)[])").Signature);
        Assert.Equal(2, abi.Functions.Count());
        Assert.Contains(abi.Errors, e => e.Signature == "Nope(string)");
    }

    [Fact]
    public void Unknown_function_names_the_missing_function()
    {
        var ex = Assert.Throws<KeyNotFoundException>(() => ContractAbi.FromJson("[]").Function("upsertWorkflow"));
        Assert.Contains("upsertWorkflow", ex.Message, StringComparison.Ordinal);
    }
}
