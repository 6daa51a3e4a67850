using System.Globalization;
using System.Text;

namespace CreAspire.Telemetry.Testing;

/// <summary>Navigation over the spans of a trace (parents, ancestors, spans by name) and a readable waterfall for failures.</summary>
public sealed class TraceTree
{
    private readonly Dictionary<string, CollectedSpan> _byId;

    public TraceTree(IEnumerable<CollectedSpan> spans)
    {
        ArgumentNullException.ThrowIfNull(spans);
        Spans = spans.ToArray();
        _byId = Spans.GroupBy(s => s.SpanId).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
    }

    public IReadOnlyList<CollectedSpan> Spans { get; }

    public CollectedSpan? ParentOf(CollectedSpan span) =>
        span.ParentSpanId is { } parent && _byId.TryGetValue(parent, out var found) ? found : null;

    /// <summary>Parent, grandparent, ... as far as collected spans go.</summary>
    public IEnumerable<CollectedSpan> AncestorsOf(CollectedSpan span)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal) { span.SpanId };
        for (var parent = ParentOf(span); parent is not null && seen.Add(parent.SpanId); parent = ParentOf(parent))
        {
            yield return parent;
        }
    }

    /// <summary>Spans called <paramref name="name"/>, or <paramref name="name"/> followed by a space and a detail ("gateway.relay" matches "gateway.relay confidential.capability.execute").</summary>
    public IReadOnlyList<CollectedSpan> Named(string name) => Spans.Where(s => NameMatches(s, name)).ToArray();

    public static bool NameMatches(CollectedSpan span, string name)
    {
        ArgumentNullException.ThrowIfNull(span);
        return span.Name == name || (span.Name.Length > name.Length && span.Name.StartsWith(name, StringComparison.Ordinal) && span.Name[name.Length] == ' ');
    }

    /// <summary>The spans as an indented tree per trace: name, node, offset from the trace's first span, duration, errors, links.</summary>
    public static string Render(IEnumerable<CollectedSpan> spans)
    {
        ArgumentNullException.ThrowIfNull(spans);
        var text = new StringBuilder();
        foreach (var trace in spans.GroupBy(s => s.TraceId))
        {
            var tree = new TraceTree(trace);
            var origin = tree.Spans.Min(s => s.Start);
            text.Append("trace ").Append(trace.Key).Append(" (").Append(tree.Spans.Count).AppendLine(" spans)");
            var children = tree.Spans.Where(s => tree.ParentOf(s) is not null).ToLookup(s => s.ParentSpanId!);
            foreach (var root in tree.Spans.Where(s => tree.ParentOf(s) is null).OrderBy(s => s.Start))
            {
                Append(root, 1, root.ParentSpanId is null ? "" : " (parent " + root.ParentSpanId + " not collected)");
            }

            void Append(CollectedSpan span, int depth, string note)
            {
                text.Append(' ', depth * 2).Append(span.Name);
                if (span.Node.Length > 0)
                {
                    text.Append(" [").Append(span.Node).Append(']');
                }

                text.Append(CultureInfo.InvariantCulture, $" +{(span.Start - origin).TotalMilliseconds:0.0} ms, {span.Duration.TotalMilliseconds:0.0} ms");
                if (span.IsError)
                {
                    text.Append(" ERROR: ").Append(span.StatusMessage);
                }

                if (span.Links.Count > 0)
                {
                    text.Append(", links ").Append(string.Join(", ", span.Links.Select(l => l.SpanId)));
                }

                text.Append(" (").Append(span.SpanId).Append(')').Append(note).AppendLine();
                foreach (var child in children[span.SpanId].OrderBy(s => s.Start))
                {
                    Append(child, depth + 1, "");
                }
            }
        }

        return text.ToString();
    }
}
