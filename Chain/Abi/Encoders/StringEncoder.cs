using System.Text;

namespace CreAspire.Chain.Abi.Encoders;

/// <summary><c>string</c>: its UTF-8 bytes encoded as <c>bytes</c>.</summary>
public sealed class StringEncoder : IAbiEncoder
{
    public byte[] Encode(AbiValue value) => value is AbiString text
        ? BytesEncoder.EncodeContent(Encoding.UTF8.GetBytes(text.Value))
        : throw new AbiEncodingException($"string needs a string; got {value.GetType().Name} {value}.");
}
