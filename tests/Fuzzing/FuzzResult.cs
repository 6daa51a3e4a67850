using System.Diagnostics;

namespace CreAspire.Fuzzing;

/// <summary>What one fuzz input did: accepted, refused with the component's own error, or escaped (anything else).</summary>
public readonly record struct FuzzResult(FuzzResultKind Kind, string Detail, string? Message)
{
    public static FuzzResult Accepted { get; } = new(FuzzResultKind.Accepted, "", null);

    /// <summary>Refused with the component's own error; <paramref name="outcome"/> groups refusals (failure code, status).</summary>
    public static FuzzResult Refused(string outcome, string? message) => new(FuzzResultKind.Refused, outcome, message);

    /// <summary>An exception that is not the component's own.</summary>
    public static FuzzResult Escaped(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return new(FuzzResultKind.Escaped, $"{exception.GetType().FullName}: {exception.Message} (thrown in {ThrownIn(exception)})", null);
    }

    /// <summary>Handled, but wrongly (e.g. no answer, a wrong status, the component stopped serving).</summary>
    public static FuzzResult Wrong(string what) => new(FuzzResultKind.Escaped, what, null);

    /// <summary>
    /// Runs <paramref name="attempt"/>: no exception is <see cref="Accepted"/>, a <typeparamref name="TOwn"/> is refused as
    /// <paramref name="outcome"/> says, any other exception escaped.
    /// </summary>
    public static FuzzResult Of<TOwn>(Action attempt, Func<TOwn, string> outcome)
        where TOwn : Exception
    {
        ArgumentNullException.ThrowIfNull(attempt);

        // Completes synchronously: the attempt runs inside OfAsync's handler and returns a completed task.
        return OfAsync<TOwn, bool>(() =>
        {
            attempt();
            return Task.FromResult(true);
        }, outcome, _ => Accepted).GetAwaiter().GetResult();
    }

    /// <summary>As <see cref="Of{TOwn}"/> for an asynchronous attempt; <paramref name="accepted"/> judges what it returned.</summary>
    public static async Task<FuzzResult> OfAsync<TOwn, TResult>(Func<Task<TResult>> attempt, Func<TOwn, string> outcome, Func<TResult, FuzzResult> accepted)
        where TOwn : Exception
    {
        ArgumentNullException.ThrowIfNull(attempt);
        ArgumentNullException.ThrowIfNull(outcome);
        ArgumentNullException.ThrowIfNull(accepted);
        TResult result;
        try
        {
            result = await attempt().ConfigureAwait(false);
        }
        catch (TOwn own)
        {
            return Refused(outcome(own), own.Message);
        }
#pragma warning disable CA1031 // the point: any other exception is a finding, recorded with the input that caused it
        catch (Exception other)
#pragma warning restore CA1031
        {
            return Escaped(other);
        }

        return accepted(result);
    }

    /// <summary>The innermost frame the exception was thrown in and the first frame of our own code, so an escape says where to fix it.</summary>
    private static string ThrownIn(Exception exception)
    {
        var methods = new StackTrace(exception, false).GetFrames().Select(f => f.GetMethod()).Where(m => m is not null).ToArray();
        var own = methods.FirstOrDefault(m => m!.DeclaringType?.FullName?.StartsWith("CreAspire.", StringComparison.Ordinal) == true);
        return string.Join(" via ", new[] { methods.FirstOrDefault(), own }.Where(m => m is not null).Distinct().Select(m => $"{m!.DeclaringType?.Name}.{m.Name}"));
    }
}

public enum FuzzResultKind
{
    Accepted,
    Refused,
    Escaped,
}
