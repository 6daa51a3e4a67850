using System.Text;
using CreAspire.Chain.Abi.Decoders;
using CreAspire.Chain.Crypto;

namespace CreAspire.Chain.Abi;

/// <summary>A Solidity custom error (or the built-in Error(string) / Panic(uint256)): selector and argument decoding.</summary>
public sealed class AbiError
{
    public AbiError(string name, IReadOnlyList<AbiParameter> parameters)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
        Parameters = parameters;
        Signature = name + "(" + string.Join(",", parameters.Select(p => p.Type.CanonicalName)) + ")";
        Selector = Keccak256.Hash(Encoding.ASCII.GetBytes(Signature))[..4];
    }

    /// <summary>Solidity's <c>require(cond, "reason")</c> / <c>revert("reason")</c>.</summary>
    public static AbiError StandardError { get; } = new("Error", [new AbiParameter("reason", AbiType.Parse("string"))]);

    /// <summary>Solidity's compiler-inserted panics (0x11 overflow, 0x32 out-of-bounds, …).</summary>
    public static AbiError Panic { get; } = new("Panic", [new AbiParameter("code", AbiType.Parse("uint256"))]);

    public string Name { get; }

    public IReadOnlyList<AbiParameter> Parameters { get; }

    public string Signature { get; }

    public byte[] Selector { get; }

    /// <summary>Decodes revert data (selector + arguments) of this error.</summary>
    public DecodedCall Decode(ReadOnlySpan<byte> revertData)
    {
        if (revertData.Length < 4 || !revertData[..4].SequenceEqual(Selector))
        {
            throw new AbiDecodingException($"The revert data does not start with the selector of {Signature}.");
        }

        return new DecodedCall(Name, Parameters, SequenceDecoder.Decode(Parameters.Select(p => p.Type).ToArray(), revertData[4..]));
    }

    public override string ToString() => Signature;
}
