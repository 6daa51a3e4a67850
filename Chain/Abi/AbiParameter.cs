namespace CreAspire.Chain.Abi;

/// <summary>A named parameter of a function, event or error.</summary>
public sealed record AbiParameter(string Name, AbiType Type, bool Indexed = false)
{
    /// <summary>Parameters from canonical types, named p0, p1, … (for signatures written by hand).</summary>
    public static AbiParameter[] FromTypes(params string[] canonicalTypes) =>
        canonicalTypes.Select((t, i) => new AbiParameter("p" + i, AbiType.Parse(t))).ToArray();
}

/// <summary>A decoded value list with parameter names, printed as <c>Name(a: 1, b: "x")</c>.</summary>
public sealed class DecodedCall(string name, IReadOnlyList<AbiParameter> parameters, IReadOnlyList<AbiValue> values)
{
    public string Name { get; } = name;

    public IReadOnlyList<AbiParameter> Parameters { get; } = parameters;

    public IReadOnlyList<AbiValue> Values { get; } = values;

    public AbiValue this[string parameterName]
    {
        get
        {
            for (var i = 0; i < Parameters.Count; i++)
            {
                if (Parameters[i].Name == parameterName)
                {
                    return Values[i];
                }
            }

            throw new KeyNotFoundException($"{Name} has no parameter '{parameterName}' (it has {string.Join(", ", Parameters.Select(p => p.Name))}).");
        }
    }

    public override string ToString() =>
        Name + "(" + string.Join(", ", Parameters.Select((p, i) => (p.Name.Length > 0 ? p.Name + ": " : "") + Values[i])) + ")";
}
