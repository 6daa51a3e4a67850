namespace CreAspire.Fuzzing;

/// <summary>A mutated copy of a valid input and how it was made (printed when it escapes, so it can be rebuilt).</summary>
public readonly record struct Mutant(string Label, byte[] Bytes);

/// <summary>
/// Deterministic byte-level mutations of a valid input: every single-bit flip, every truncation, and seeded random
/// edits (byte changes, boundary values, insertions, deletions, duplicated and swapped slices). The same seed gives the
/// same inputs on every machine, so a CI failure reproduces locally.
/// </summary>
public static class Mutations
{
    private static readonly byte[] Interesting = [0x00, 0x01, 0x7F, 0x80, 0xFF, 0xFE, 0x20, 0x22, 0x5C, 0x7B, 0x7D, 0x5B, 0x5D, 0x3A, 0x2C, 0xC0, 0xF8];

    /// <summary>Each of the 8·n single-bit flips.</summary>
    public static IEnumerable<Mutant> BitFlips(byte[] valid)
    {
        ArgumentNullException.ThrowIfNull(valid);
        for (var bit = 0; bit < valid.Length * 8; bit++)
        {
            var mutated = (byte[])valid.Clone();
            mutated[bit / 8] ^= (byte)(1 << (bit % 8));
            yield return new Mutant($"bit {bit} flipped (byte {bit / 8})", mutated);
        }
    }

    /// <summary>Each proper prefix: lengths 0 .. n-1.</summary>
    public static IEnumerable<Mutant> Truncations(byte[] valid)
    {
        ArgumentNullException.ThrowIfNull(valid);
        for (var length = 0; length < valid.Length; length++)
        {
            yield return new Mutant($"truncated to {length} of {valid.Length} bytes", valid[..length]);
        }
    }

    /// <summary><paramref name="count"/> seeded random edits of <paramref name="valid"/> (1 to 4 edits each).</summary>
    public static IEnumerable<Mutant> Random(byte[] valid, int count, int seed)
    {
        ArgumentNullException.ThrowIfNull(valid);
        var random = new Random(seed);
        for (var i = 0; i < count; i++)
        {
            var bytes = new List<byte>(valid);
            var edits = random.Next(1, 5);
            for (var e = 0; e < edits; e++)
            {
                Edit(bytes, random);
            }

            yield return new Mutant($"random mutant {i} (seed {seed})", [.. bytes]);
        }
    }

    /// <summary>Seeded random byte strings of 0 to <paramref name="maxLength"/> bytes, half of them printable ASCII.</summary>
    public static IEnumerable<Mutant> Noise(int count, int maxLength, int seed)
    {
        var random = new Random(seed);
        for (var i = 0; i < count; i++)
        {
            var bytes = new byte[random.Next(0, maxLength + 1)];
            random.NextBytes(bytes);
            if (i % 2 == 0)
            {
                for (var b = 0; b < bytes.Length; b++)
                {
                    bytes[b] = (byte)(0x20 + (bytes[b] % 0x5F));
                }
            }

            yield return new Mutant($"noise {i} (seed {seed})", bytes);
        }
    }

    private static void Edit(List<byte> bytes, Random random)
    {
        var position = bytes.Count == 0 ? 0 : random.Next(bytes.Count);
        switch (random.Next(7))
        {
            case 0 when bytes.Count > 0:
                bytes[position] = (byte)random.Next(256);
                break;
            case 1 when bytes.Count > 0:
                bytes[position] = Interesting[random.Next(Interesting.Length)];
                break;
            case 2:
                bytes.Insert(position, Interesting[random.Next(Interesting.Length)]);
                break;
            case 3 when bytes.Count > 0:
                bytes.RemoveRange(position, Math.Min(bytes.Count - position, random.Next(1, 17)));
                break;
            case 4 when bytes.Count > 0:
                var length = Math.Min(bytes.Count - position, random.Next(1, 65));
                bytes.InsertRange(random.Next(bytes.Count + 1), bytes.GetRange(position, length));
                break;
            case 5 when bytes.Count > 1:
                var other = random.Next(bytes.Count);
                (bytes[position], bytes[other]) = (bytes[other], bytes[position]);
                break;
            default:
                bytes.Insert(position, (byte)random.Next(256));
                break;
        }
    }
}
