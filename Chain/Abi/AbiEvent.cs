using System.Text;
using CreAspire.Chain.Abi.Decoders;
using CreAspire.Chain.Crypto;

namespace CreAspire.Chain.Abi;

/// <summary>
/// A contract event: topic 0 = keccak256(signature); indexed parameters in topics 1..3 (dynamic ones only as their
/// keccak256 hash, returned as 32 bytes), the others ABI-encoded in the data.
/// </summary>
public sealed class AbiEvent
{
    public AbiEvent(string name, IReadOnlyList<AbiParameter> parameters, bool anonymous = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
        Parameters = parameters;
        Anonymous = anonymous;
        Signature = name + "(" + string.Join(",", parameters.Select(p => p.Type.CanonicalName)) + ")";
        Topic0 = Keccak256.Hash(Encoding.ASCII.GetBytes(Signature));
    }

    public string Name { get; }

    public IReadOnlyList<AbiParameter> Parameters { get; }

    public bool Anonymous { get; }

    public string Signature { get; }

    public byte[] Topic0 { get; }

    /// <summary>True when the log's first topic is this event's.</summary>
    public bool Matches(IReadOnlyList<byte[]> topics) => !Anonymous && topics.Count > 0 && topics[0].AsSpan().SequenceEqual(Topic0);

    public DecodedCall Decode(IReadOnlyList<byte[]> topics, ReadOnlySpan<byte> data)
    {
        ArgumentNullException.ThrowIfNull(topics);
        var indexed = Parameters.Where(p => p.Indexed).ToArray();
        var firstTopic = Anonymous ? 0 : 1;
        if (!Anonymous && !Matches(topics))
        {
            throw new AbiDecodingException($"The log is not a {Signature} event (topic 0 differs).");
        }

        if (topics.Count != firstTopic + indexed.Length)
        {
            throw new AbiDecodingException($"{Signature} has {indexed.Length} indexed parameters but the log has {topics.Count - firstTopic} topics after the signature.");
        }

        var unindexed = Parameters.Where(p => !p.Indexed).Select(p => p.Type).ToArray();
        var dataValues = SequenceDecoder.Decode(unindexed, data);
        var values = new AbiValue[Parameters.Count];
        int topic = firstTopic, dataIndex = 0;
        for (var i = 0; i < Parameters.Count; i++)
        {
            var parameter = Parameters[i];
            if (!parameter.Indexed)
            {
                values[i] = dataValues[dataIndex++];
            }
            else if (parameter.Type.IsDynamic || parameter.Type is TupleType or FixedArrayType)
            {
                values[i] = new AbiBytes(topics[topic++]); // only the hash is logged
            }
            else
            {
                values[i] = parameter.Type.Decode(topics[topic++]);
            }
        }

        return new DecodedCall(Name, Parameters, values);
    }

    public override string ToString() => Signature;
}
