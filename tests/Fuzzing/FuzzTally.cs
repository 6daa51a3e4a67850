using System.Diagnostics;
using Xunit.Abstractions;

namespace CreAspire.Fuzzing;

/// <summary>
/// Counts what fuzz inputs did to a parser: how many were accepted, how many refused with the component's own error (by
/// outcome, e.g. the failure code), and which escaped as any other exception or were refused with an unclear message.
/// <see cref="Report"/> prints the figures into the test output (and so into the TRX file CI keeps);
/// <see cref="AssertClean"/> fails the test with the first escapes, each naming the input that caused it.
/// </summary>
public sealed class FuzzTally(string parser)
{
    private const int ExamplesKept = 8;

    private readonly Dictionary<string, int> _refusals = new(StringComparer.Ordinal);
    private readonly List<string> _escapes = [];
    private readonly Stopwatch _elapsed = Stopwatch.StartNew();

    public string Parser { get; } = parser;

    public int Inputs { get; private set; }

    public int Accepted { get; private set; }

    public int Refused { get; private set; }

    public int Escaped { get; private set; }

    /// <summary>Refusals by outcome (failure code, status, ...).</summary>
    public IReadOnlyDictionary<string, int> Refusals => _refusals;

    /// <summary>
    /// Runs every input through <paramref name="attempt"/> and tallies the results in input order. With
    /// <paramref name="parallel"/> the attempts run on all cores (the attempt must be thread-safe); the tally is the same.
    /// </summary>
    public static FuzzTally Run(string parser, IEnumerable<Mutant> inputs, Func<Mutant, FuzzResult> attempt, bool parallel = false)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(attempt);
        var tally = new FuzzTally(parser);
        var all = inputs.ToArray();
        var results = new FuzzResult[all.Length];
        if (parallel)
        {
            Parallel.For(0, all.Length, i => results[i] = attempt(all[i]));
        }
        else
        {
            for (var i = 0; i < all.Length; i++)
            {
                results[i] = attempt(all[i]);
            }
        }

        for (var i = 0; i < all.Length; i++)
        {
            tally.Add(all[i].Label, results[i]);
        }

        return tally;
    }

    /// <summary>As <see cref="Run"/> for asynchronous attempts (requests over a socket), at most <paramref name="concurrency"/> at once.</summary>
    public static async Task<FuzzTally> RunAsync(string parser, IEnumerable<Mutant> inputs, Func<Mutant, Task<FuzzResult>> attempt, int concurrency = 1)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(attempt);
        var tally = new FuzzTally(parser);
        var all = inputs.ToArray();
        var results = new FuzzResult[all.Length];
        await Parallel.ForAsync(0, all.Length, new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (i, _) => results[i] = await attempt(all[i]).ConfigureAwait(false))
            .ConfigureAwait(false);
        for (var i = 0; i < all.Length; i++)
        {
            tally.Add(all[i].Label, results[i]);
        }

        return tally;
    }

    public void Add(string input, FuzzResult result)
    {
        Inputs++;
        switch (result.Kind)
        {
            case FuzzResultKind.Accepted:
                Accepted++;
                break;
            case FuzzResultKind.Refused when UnclearMessage(result.Message) is { } why:
                AddEscape(input, $"refused as {result.Detail} with an unclear message ({why}): '{result.Message}'");
                break;
            case FuzzResultKind.Refused:
                Refused++;
                _refusals[result.Detail] = _refusals.GetValueOrDefault(result.Detail) + 1;
                break;
            default:
                AddEscape(input, result.Detail);
                break;
        }
    }

    /// <summary>Why a refusal message is not one a user can act on, or null when it is fine.</summary>
    public static string? UnclearMessage(string? message)
    {
        if (string.IsNullOrWhiteSpace(message))
        {
            return "empty";
        }

        // Internal type names ("could not be converted to CreAspire.Protocol...", "System.Byte[]") mean nobody wrote the message.
        foreach (var internalName in (string[])["CreAspire.", "System.", "Google.Protobuf.", "Object reference not set", "Exception"])
        {
            if (message.Contains(internalName, StringComparison.Ordinal))
            {
                return $"names '{internalName}'";
            }
        }

        return null;
    }

    /// <summary>One line per parser: inputs tried, accepted, refused by outcome, escaped, time.</summary>
    public string Summary()
    {
        var outcomes = string.Join(", ", _refusals.OrderByDescending(r => r.Value).ThenBy(r => r.Key, StringComparer.Ordinal).Select(r => $"{r.Key} {r.Value}"));
        return $"fuzz {Parser}: {Inputs} inputs, {Accepted} accepted, {Refused} refused, {Escaped} escaped, {_elapsed.Elapsed.TotalSeconds:0.0} s" +
               (outcomes.Length > 0 ? $"; refusals: {outcomes}" : "");
    }

    /// <summary>Prints <see cref="Summary"/> and the first escapes.</summary>
    public FuzzTally Report(ITestOutputHelper output)
    {
        ArgumentNullException.ThrowIfNull(output);
        output.WriteLine(Summary());
        foreach (var escape in _escapes)
        {
            output.WriteLine("  escaped: " + escape);
        }

        return this;
    }

    /// <summary>Fails when any input escaped, listing the first ones.</summary>
    public FuzzTally AssertClean()
    {
        if (Escaped > 0)
        {
            throw new Xunit.Sdk.XunitException($"{Summary()}\n{string.Join("\n", _escapes.Select(e => "  escaped: " + e))}");
        }

        return this;
    }

    private void AddEscape(string input, string what)
    {
        if (Escaped++ < ExamplesKept)
        {
            _escapes.Add($"{input}: {what}");
        }
    }
}
