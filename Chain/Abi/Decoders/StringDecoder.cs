using System.Text;

namespace CreAspire.Chain.Abi.Decoders;

/// <summary><c>string</c>: <c>bytes</c> read as strict UTF-8.</summary>
public sealed class StringDecoder : IAbiDecoder
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public AbiValue Decode(ReadOnlySpan<byte> data, int position)
    {
        try
        {
            return new AbiString(StrictUtf8.GetString(BytesDecoder.ReadContent(data, position)));
        }
        catch (DecoderFallbackException ex)
        {
            throw new AbiDecodingException($"The string at offset {position} is not valid UTF-8.", ex);
        }
    }
}
