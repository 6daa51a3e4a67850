using System.Text;
using CreAspire.Chain.Abi.Decoders;
using CreAspire.Chain.Abi.Encoders;
using CreAspire.Chain.Crypto;

namespace CreAspire.Chain.Abi;

/// <summary>A contract function: selector, call encoding and output decoding.</summary>
public sealed class AbiFunction
{
    public AbiFunction(string name, IReadOnlyList<AbiParameter> inputs, IReadOnlyList<AbiParameter> outputs)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
        Inputs = inputs;
        Outputs = outputs;
        Signature = name + "(" + string.Join(",", inputs.Select(p => p.Type.CanonicalName)) + ")";
        Selector = Keccak256.Hash(Encoding.ASCII.GetBytes(Signature))[..4];
    }

    /// <summary>A function from a signature such as "baz(uint32,bool)", with optional output types.</summary>
    public static AbiFunction FromSignature(string signature, params string[] outputTypes)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(signature);
        var open = signature.IndexOf('(', StringComparison.Ordinal);
        if (open <= 0 || !signature.EndsWith(')'))
        {
            throw new AbiTypeException($"'{signature}' is not a function signature like name(type1,type2).");
        }

        var tuple = (TupleType)AbiType.Parse(signature[open..]);
        var inputs = tuple.Components.Select((t, i) => new AbiParameter("p" + i, t)).ToArray();
        return new AbiFunction(signature[..open], inputs, AbiParameter.FromTypes(outputTypes));
    }

    public string Name { get; }

    public IReadOnlyList<AbiParameter> Inputs { get; }

    public IReadOnlyList<AbiParameter> Outputs { get; }

    /// <summary>Canonical signature, e.g. "upsertWorkflow(string,string,bytes32,uint8,string,string,string,bytes,bool)".</summary>
    public string Signature { get; }

    /// <summary>First four bytes of keccak256(signature).</summary>
    public byte[] Selector { get; }

    public byte[] EncodeCall(params AbiValue[] arguments) =>
        [.. Selector, .. SequenceEncoder.Encode(Inputs.Select(p => p.Type).ToArray(), arguments)];

    public IReadOnlyList<AbiValue> DecodeOutput(ReadOnlySpan<byte> returnData) =>
        SequenceDecoder.Decode(Outputs.Select(p => p.Type).ToArray(), returnData);

    /// <summary>Decodes call data (selector + arguments), e.g. to inspect a transaction's input.</summary>
    public DecodedCall DecodeCall(ReadOnlySpan<byte> callData)
    {
        if (callData.Length < 4 || !callData[..4].SequenceEqual(Selector))
        {
            throw new AbiDecodingException($"The call data does not start with the selector of {Signature}.");
        }

        return new DecodedCall(Name, Inputs, SequenceDecoder.Decode(Inputs.Select(p => p.Type).ToArray(), callData[4..]));
    }

    public override string ToString() => Signature;
}
