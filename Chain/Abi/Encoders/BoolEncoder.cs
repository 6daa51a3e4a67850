namespace CreAspire.Chain.Abi.Encoders;

/// <summary>One word holding 0 or 1.</summary>
public sealed class BoolEncoder : IAbiEncoder
{
    public byte[] Encode(AbiValue value)
    {
        if (value is not AbiBool flag)
        {
            throw new AbiEncodingException($"bool needs a bool; got {value.GetType().Name} {value}.");
        }

        var word = new byte[32];
        word[31] = flag.Value ? (byte)1 : (byte)0;
        return word;
    }
}
