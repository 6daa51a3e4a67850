namespace CreAspire.Chain.Abi.Encoders;

/// <summary>Encodes one value of a type: the whole encoding of a static type, or the tail of a dynamic one.</summary>
public interface IAbiEncoder
{
    byte[] Encode(AbiValue value);
}
