using System.Text;

namespace CreAspire.Chain.Crypto;

/// <summary>EIP-191 version 0x45 ("personal_sign") hashing and signer recovery.</summary>
public static class Eip191
{
    /// <summary>keccak256("\x19Ethereum Signed Message:\n" + decimal length + message).</summary>
    public static byte[] Hash(ReadOnlySpan<byte> message)
    {
        var prefix = Encoding.ASCII.GetBytes("\u0019Ethereum Signed Message:\n" + message.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var buffer = new byte[prefix.Length + message.Length];
        prefix.CopyTo(buffer, 0);
        message.CopyTo(buffer.AsSpan(prefix.Length));
        return Keccak256.Hash(buffer);
    }

    /// <summary>Recovers the lower-case 0x address that produced a 65-byte personal signature; null if it is invalid.</summary>
    public static string? RecoverSigner(ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature65)
    {
        if (signature65.Length != 65)
        {
            return null;
        }

        EthSignature signature;
        try
        {
            signature = EthSignature.FromBytes65(signature65);
        }
        catch (ArgumentException)
        {
            return null;
        }

        return EthKey.RecoverAddress(Hash(message), signature);
    }
}
