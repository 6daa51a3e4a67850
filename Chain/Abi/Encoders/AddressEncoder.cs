namespace CreAspire.Chain.Abi.Encoders;

/// <summary>The 20 address bytes left-padded with 12 zero bytes.</summary>
public sealed class AddressEncoder : IAbiEncoder
{
    public byte[] Encode(AbiValue value)
    {
        if (value is not AbiAddress address)
        {
            throw new AbiEncodingException($"address needs an AbiAddress (AbiValue.Address(\"0x…\")); got {value.GetType().Name} {value}.");
        }

        var word = new byte[32];
        address.Bytes.CopyTo(word, 12);
        return word;
    }
}
