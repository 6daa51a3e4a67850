using System.Text.Json;
using CreAspire.Chain.Crypto;

namespace CreAspire.Chain.Abi;

/// <summary>A contract's ABI (from solc's JSON): functions by name, events by topic 0, errors by selector, revert decoding.</summary>
public sealed class ContractAbi
{
    private readonly Dictionary<string, AbiFunction> _functions;
    private readonly Dictionary<string, AbiEvent> _events;
    private readonly Dictionary<string, AbiError> _errorsBySelector;

    public ContractAbi(IEnumerable<AbiFunction> functions, IEnumerable<AbiEvent> events, IEnumerable<AbiError> errors, AbiFunction? constructor = null)
    {
        // Overloads: the name finds the first declared; the canonical signature finds each one.
        var functionList = functions.ToArray();
        _functions = functionList.DistinctBy(f => f.Name).ToDictionary(f => f.Name, StringComparer.Ordinal);
        foreach (var function in functionList)
        {
            _functions[function.Signature] = function;
        }

        _events = events.DistinctBy(e => e.Signature).ToDictionary(e => e.Signature, StringComparer.Ordinal);
        foreach (var abiEvent in _events.Values.DistinctBy(e => e.Name).ToArray())
        {
            _events.TryAdd(abiEvent.Name, abiEvent);
        }

        _errorsBySelector = errors.Append(AbiError.StandardError).Append(AbiError.Panic)
            .DistinctBy(e => e.Signature).ToDictionary(e => Hex.Encode(e.Selector), StringComparer.Ordinal);
        Constructor = constructor ?? new AbiFunction("constructor", [], []);
    }

    public AbiFunction Constructor { get; }

    public IEnumerable<AbiFunction> Functions => _functions.Values.Distinct();

    public IEnumerable<AbiEvent> Events => _events.Values.Distinct();

    public IEnumerable<AbiError> Errors => _errorsBySelector.Values;

    /// <summary>A function by name (first overload) or canonical signature ("f(uint256,bytes)").</summary>
    public AbiFunction Function(string name) => _functions.TryGetValue(name, out var f)
        ? f
        : throw new KeyNotFoundException($"The ABI has no function '{name}'.");

    /// <summary>An event by name (first overload) or canonical signature.</summary>
    public AbiEvent Event(string name) => _events.TryGetValue(name, out var e)
        ? e
        : throw new KeyNotFoundException($"The ABI has no event '{name}'.");

    /// <summary>Finds the event whose topic 0 matches; null for logs of unknown (or anonymous) events.</summary>
    public AbiEvent? FindEvent(IReadOnlyList<byte[]> topics) => _events.Values.FirstOrDefault(e => e.Matches(topics));

    /// <summary>Decodes revert data into its error (a custom error of this ABI, Error(string) or Panic); null if unknown.</summary>
    public DecodedCall? DecodeRevert(ReadOnlySpan<byte> revertData)
    {
        if (revertData.Length < 4 || !_errorsBySelector.TryGetValue(Hex.Encode(revertData[..4]), out var error))
        {
            return null;
        }

        try
        {
            return error.Decode(revertData);
        }
        catch (AbiDecodingException)
        {
            return null;
        }
    }

    /// <summary>Parses solc's ABI JSON array (functions, events, errors, constructor; tuples from "components").</summary>
    public static ContractAbi FromJson(JsonElement abi)
    {
        if (abi.ValueKind != JsonValueKind.Array)
        {
            throw new AbiTypeException("An ABI is a JSON array of function, event and error entries.");
        }

        var functions = new List<AbiFunction>();
        var events = new List<AbiEvent>();
        var errors = new List<AbiError>();
        AbiFunction? constructor = null;
        foreach (var entry in abi.EnumerateArray())
        {
            var kind = entry.GetProperty("type").GetString();
            var name = entry.TryGetProperty("name", out var n) ? n.GetString() ?? "" : "";
            var inputs = Parameters(entry, "inputs");
            switch (kind)
            {
                case "function":
                    functions.Add(new AbiFunction(name, inputs, Parameters(entry, "outputs")));
                    break;
                case "event":
                    events.Add(new AbiEvent(name, inputs, entry.TryGetProperty("anonymous", out var a) && a.GetBoolean()));
                    break;
                case "error":
                    errors.Add(new AbiError(name, inputs));
                    break;
                case "constructor":
                    constructor = new AbiFunction("constructor", inputs, []);
                    break;
            }
        }

        return new ContractAbi(functions, events, errors, constructor);
    }

    public static ContractAbi FromJson(string json)
    {
        using var document = JsonDocument.Parse(json);
        return FromJson(document.RootElement);
    }

    private static AbiParameter[] Parameters(JsonElement entry, string property) =>
        entry.TryGetProperty(property, out var list)
            ? list.EnumerateArray().Select(p => new AbiParameter(
                p.TryGetProperty("name", out var n) ? n.GetString() ?? "" : "",
                AbiType.Parse(CanonicalType(p)),
                p.TryGetProperty("indexed", out var i) && i.GetBoolean())).ToArray()
            : [];

    /// <summary>"tuple[]" with components → "(T1,T2)[]".</summary>
    private static string CanonicalType(JsonElement parameter)
    {
        var type = parameter.GetProperty("type").GetString() ?? throw new AbiTypeException("An ABI parameter has no type.");
        if (!type.StartsWith("tuple", StringComparison.Ordinal))
        {
            return type;
        }

        var components = parameter.GetProperty("components").EnumerateArray().Select(CanonicalType);
        return "(" + string.Join(",", components) + ")" + type["tuple".Length..];
    }
}
