using System.Diagnostics;
using System.Globalization;

namespace CreAspire.Telemetry.Testing;

/// <summary>A link of a collected span to another span (e.g. a quorum member's request).</summary>
public sealed record CollectedLink(string TraceId, string SpanId, IReadOnlyDictionary<string, object?> Attributes);

/// <summary>An event recorded on a collected span (e.g. "exception" with exception.message).</summary>
public sealed record CollectedEvent(string Name, DateTimeOffset Time, IReadOnlyDictionary<string, object?> Attributes);

/// <summary>
/// A finished span as a test sees it, whether it arrived over OTLP from a service process (<see cref="OtlpReceiver"/>) or
/// was recorded in-process (<see cref="ActivityCollector"/>). Ids are lower-case hex; <see cref="ParentSpanId"/> is null
/// for a root span.
/// </summary>
public sealed record CollectedSpan
{
    public required string TraceId { get; init; }

    public required string SpanId { get; init; }

    public string? ParentSpanId { get; init; }

    /// <summary>The span's name as exported (the activity's display name).</summary>
    public required string Name { get; init; }

    public ActivityKind Kind { get; init; }

    /// <summary>service.name of the process that exported it (OTEL_SERVICE_NAME); empty for spans recorded in-process.</summary>
    public string Service { get; init; } = "";

    /// <summary>The instrumentation scope (ActivitySource name), e.g. CreAspire.Gateway.</summary>
    public string Scope { get; init; } = "";

    public DateTimeOffset Start { get; init; }

    public DateTimeOffset End { get; init; }

    public IReadOnlyDictionary<string, object?> Attributes { get; init; } = new Dictionary<string, object?>();

    public bool IsError { get; init; }

    public string? StatusMessage { get; init; }

    public IReadOnlyList<CollectedLink> Links { get; init; } = [];

    public IReadOnlyList<CollectedEvent> Events { get; init; } = [];

    public TimeSpan Duration => End - Start;

    /// <summary>The attribute as invariant text (numbers and booleans formatted), or null when absent.</summary>
    public string? Attribute(string key) => Attributes.TryGetValue(key, out var value) ? Format(value) : null;

    /// <summary>Where the span ran: <see cref="Service"/>, or for in-process spans the node.address attribute, else "".</summary>
    public string Node => Service.Length > 0 ? Service : Attribute("node.address") ?? "";

    public override string ToString() =>
        $"{Name} [{(Node.Length > 0 ? Node : Scope)}] {SpanId}{(ParentSpanId is null ? "" : " < " + ParentSpanId)}{(IsError ? " ERROR " + StatusMessage : "")}";

    /// <summary>The finished activity as a collected span (in-process).</summary>
    public static CollectedSpan From(Activity activity)
    {
        ArgumentNullException.ThrowIfNull(activity);
        return new CollectedSpan
        {
            TraceId = activity.TraceId.ToHexString(),
            SpanId = activity.SpanId.ToHexString(),
            ParentSpanId = activity.ParentSpanId == default ? null : activity.ParentSpanId.ToHexString(),
            Name = activity.DisplayName,
            Kind = activity.Kind,
            Scope = activity.Source.Name,
            Start = activity.StartTimeUtc,
            End = activity.StartTimeUtc + activity.Duration,
            Attributes = activity.TagObjects.GroupBy(t => t.Key).ToDictionary(g => g.Key, g => g.Last().Value),
            IsError = activity.Status == ActivityStatusCode.Error,
            StatusMessage = activity.StatusDescription,
            Links = activity.Links.Select(l => new CollectedLink(l.Context.TraceId.ToHexString(), l.Context.SpanId.ToHexString(),
                (l.Tags ?? []).ToDictionary(t => t.Key, t => t.Value))).ToArray(),
            Events = activity.Events.Select(e => new CollectedEvent(e.Name, e.Timestamp, e.Tags.ToDictionary(t => t.Key, t => t.Value))).ToArray(),
        };
    }

    private static string? Format(object? value) => value switch
    {
        null => null,
        string text => text,
        bool flag => flag ? "true" : "false",
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };
}
