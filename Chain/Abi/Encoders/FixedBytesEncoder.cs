namespace CreAspire.Chain.Abi.Encoders;

/// <summary><c>bytesN</c>: exactly N bytes, right-padded to a word.</summary>
public sealed class FixedBytesEncoder(int length) : IAbiEncoder
{
    public byte[] Encode(AbiValue value)
    {
        if (value is not AbiBytes bytes)
        {
            throw new AbiEncodingException($"bytes{length} needs bytes; got {value.GetType().Name} {value}.");
        }

        if (bytes.Value.Length != length)
        {
            throw new AbiEncodingException($"bytes{length} needs exactly {length} bytes; got {bytes.Value.Length}.");
        }

        var word = new byte[32];
        bytes.Value.CopyTo(word, 0);
        return word;
    }
}
