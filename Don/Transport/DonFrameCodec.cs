using System.Buffers.Binary;
using System.Security.Cryptography;

namespace CreAspire.Don.Transport;

/// <summary>
/// Authenticates the frames of one direction of a session: a frame is <c>payload ‖ HMAC-SHA256(key, uint64BE sequence ‖
/// payload)</c>, where the sequence number is implicit (0, 1, 2, ... per direction). A changed byte, a frame sent twice,
/// a dropped frame or a reordered frame all fail <see cref="Open"/>. Not thread-safe: one sender loop and one receiver
/// loop each own their codec.
/// </summary>
internal sealed class DonFrameCodec(byte[] key) : IDisposable
{
    public const int TagLength = 32;
    private readonly IncrementalHash _hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);

    /// <summary>The sequence number of the next frame.</summary>
    public ulong Sequence { get; private set; }

    /// <summary>Writes the tag of <paramref name="payload"/> into <paramref name="tag"/> and advances the sequence.</summary>
    public void Seal(ReadOnlySpan<byte> payload, Span<byte> tag)
    {
        Compute(payload, tag);
        Sequence++;
    }

    /// <summary>True (and advances the sequence) when the frame's trailing tag is the expected one.</summary>
    public bool Open(ReadOnlySpan<byte> frame)
    {
        if (frame.Length < TagLength)
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[TagLength];
        Compute(frame[..^TagLength], expected);
        if (!CryptographicOperations.FixedTimeEquals(expected, frame[^TagLength..]))
        {
            return false;
        }

        Sequence++;
        return true;
    }

    private void Compute(ReadOnlySpan<byte> payload, Span<byte> tag)
    {
        Span<byte> sequence = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(sequence, Sequence);
        _hmac.AppendData(sequence);
        _hmac.AppendData(payload);
        _hmac.GetHashAndReset(tag);
    }

    public void Dispose() => _hmac.Dispose();
}
