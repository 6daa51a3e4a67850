using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;

namespace CreAspire.Telemetry.Testing;

/// <summary>A resource as the Aspire dashboard's telemetry API lists it: which kinds of telemetry it has received from it.</summary>
public sealed record DashboardResource(string Name, string? InstanceId, string? DisplayName, bool HasLogs, bool HasTraces, bool HasMetrics);

/// <summary>
/// Reads what the Aspire dashboard (13.6) holds, through its telemetry HTTP API (<c>/api/telemetry/resources</c>,
/// <c>spans</c>, <c>logs</c>, <c>traces/{traceId}</c>, OTLP JSON in a <c>data</c> envelope): the same store the dashboard's
/// pages draw. Needs the API unsecured, which the AppHost configures when ASPIRE_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS=true.
/// </summary>
public sealed class DashboardTelemetry(Uri dashboardUrl, HttpClient http)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly Uri _api = new(dashboardUrl.ToString().TrimEnd('/') + "/api/telemetry/");

    /// <summary>Every resource that sent the dashboard telemetry.</summary>
    public async Task<IReadOnlyList<DashboardResource>> ResourcesAsync(CancellationToken cancellationToken = default) =>
        await http.GetFromJsonAsync<List<DashboardResource>>(new Uri(_api, "resources"), Json, cancellationToken).ConfigureAwait(false) ?? [];

    /// <summary>The spans of one trace the dashboard holds.</summary>
    public async Task<IReadOnlyList<CollectedSpan>> TraceAsync(string traceId, CancellationToken cancellationToken = default)
    {
        using var response = await http.GetAsync(new Uri(_api, "traces/" + Uri.EscapeDataString(traceId)), cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return [];
        }

        response.EnsureSuccessStatusCode();
        using var document = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), cancellationToken: cancellationToken).ConfigureAwait(false);
        return ParseSpans(document.RootElement);
    }

    /// <summary>The spans of one resource the dashboard holds (its latest ones).</summary>
    public async Task<IReadOnlyList<CollectedSpan>> SpansAsync(string resource, CancellationToken cancellationToken = default)
    {
        using var document = await GetDocumentAsync($"spans?resource={Uri.EscapeDataString(resource)}", cancellationToken).ConfigureAwait(false);
        return ParseSpans(document.RootElement);
    }

    /// <summary>The bodies of the structured log records of one resource the dashboard holds (its latest ones).</summary>
    public async Task<IReadOnlyList<string>> LogMessagesAsync(string resource, CancellationToken cancellationToken = default)
    {
        using var document = await GetDocumentAsync($"logs?resource={Uri.EscapeDataString(resource)}", cancellationToken).ConfigureAwait(false);
        var messages = new List<string>();
        foreach (var resourceLogs in Array(Data(document.RootElement), "resourceLogs"))
        {
            foreach (var scope in Array(resourceLogs, "scopeLogs"))
            {
                foreach (var record in Array(scope, "logRecords"))
                {
                    if (record.TryGetProperty("body", out var body) && Value(body) is { } text)
                    {
                        messages.Add(Convert.ToString(text, CultureInfo.InvariantCulture) ?? "");
                    }
                }
            }
        }

        return messages;
    }

    /// <summary>Waits until the dashboard holds the trace of <paramref name="executionId"/> in the shape of <paramref name="shape"/>.</summary>
    public async Task<IReadOnlyList<CollectedSpan>> WaitForExecutionTraceAsync(string executionId, TraceExpectation shape, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var traceId = ExecutionTraces.TraceIdOf(executionId);
        var deadline = DateTime.UtcNow + timeout;
        IReadOnlyList<CollectedSpan> spans = [];
        while (true)
        {
            using (var request = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
            {
                spans = await TraceAsync(traceId, request.Token).ConfigureAwait(false);
            }

            var problems = shape.Problems(spans);
            if (problems.Count == 0)
            {
                return spans;
            }

            if (DateTime.UtcNow >= deadline)
            {
                throw new TraceExpectationException(
                    $"The dashboard did not hold the trace {traceId} of execution {executionId} within {timeout.TotalSeconds:0} s. Unmet: {string.Join("; ", problems)}\n{TraceTree.Render(spans)}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250)).ConfigureAwait(false);
        }
    }

    private async Task<JsonDocument> GetDocumentAsync(string path, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(new Uri(_api, path), cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        return await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <summary>OTLP JSON (resourceSpans → scopeSpans → spans) as collected spans, service.name from each resource.</summary>
    public static IReadOnlyList<CollectedSpan> ParseSpans(JsonElement root)
    {
        var spans = new List<CollectedSpan>();
        foreach (var resourceSpans in Array(Data(root), "resourceSpans"))
        {
            var service = "";
            if (resourceSpans.TryGetProperty("resource", out var resource))
            {
                service = Attributes(resource).GetValueOrDefault("service.name") as string ?? "";
            }

            foreach (var scopeSpans in Array(resourceSpans, "scopeSpans"))
            {
                var scope = scopeSpans.TryGetProperty("scope", out var s) && s.TryGetProperty("name", out var n) ? n.GetString() ?? "" : "";
                foreach (var span in Array(scopeSpans, "spans"))
                {
                    var status = span.TryGetProperty("status", out var st) ? st : default;
                    spans.Add(new CollectedSpan
                    {
                        TraceId = span.GetProperty("traceId").GetString()!.ToLowerInvariant(),
                        SpanId = span.GetProperty("spanId").GetString()!.ToLowerInvariant(),
                        ParentSpanId = span.TryGetProperty("parentSpanId", out var parent) && parent.GetString() is { Length: > 0 } p ? p.ToLowerInvariant() : null,
                        Name = span.GetProperty("name").GetString()!,
                        Kind = span.TryGetProperty("kind", out var kind) ? KindOf(kind.GetInt32()) : ActivityKind.Internal,
                        Service = service,
                        Scope = scope,
                        Start = Time(span, "startTimeUnixNano"),
                        End = Time(span, "endTimeUnixNano"),
                        Attributes = Attributes(span),
                        IsError = status.ValueKind == JsonValueKind.Object && status.TryGetProperty("code", out var code) && code.GetInt32() == 2,
                        StatusMessage = status.ValueKind == JsonValueKind.Object && status.TryGetProperty("message", out var message) ? message.GetString() : null,
                        Links = Array(span, "links").Select(l => new CollectedLink(
                            l.GetProperty("traceId").GetString()!.ToLowerInvariant(), l.GetProperty("spanId").GetString()!.ToLowerInvariant(), Attributes(l))).ToArray(),
                        Events = Array(span, "events").Select(e => new CollectedEvent(
                            e.TryGetProperty("name", out var en) ? en.GetString() ?? "" : "", Time(e, "timeUnixNano"), Attributes(e))).ToArray(),
                    });
                }
            }
        }

        return spans;
    }

    private static JsonElement Data(JsonElement root) => root.TryGetProperty("data", out var data) ? data : root;

    private static IEnumerable<JsonElement> Array(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var array) && array.ValueKind == JsonValueKind.Array
            ? array.EnumerateArray()
            : [];

    private static Dictionary<string, object?> Attributes(JsonElement element) =>
        Array(element, "attributes").GroupBy(a => a.GetProperty("key").GetString()!)
            .ToDictionary(g => g.Key, g => g.Last().TryGetProperty("value", out var v) ? Value(v) : null);

    private static object? Value(JsonElement value)
    {
        foreach (var property in value.EnumerateObject())
        {
            return property.Name switch
            {
                "stringValue" => property.Value.GetString(),
                "boolValue" => property.Value.GetBoolean(),
                // OTLP JSON writes 64-bit integers as strings.
                "intValue" => property.Value.ValueKind == JsonValueKind.String
                    ? long.Parse(property.Value.GetString()!, CultureInfo.InvariantCulture)
                    : property.Value.GetInt64(),
                "doubleValue" => property.Value.GetDouble(),
                _ => property.Value.ToString(),
            };
        }

        return null;
    }

    private static DateTimeOffset Time(JsonElement element, string name)
    {
        if (!element.TryGetProperty(name, out var value))
        {
            return default;
        }

        var nanos = value.ValueKind == JsonValueKind.String ? ulong.Parse(value.GetString()!, CultureInfo.InvariantCulture) : value.GetUInt64();
        return DateTimeOffset.UnixEpoch.AddTicks((long)(nanos / 100));
    }

    // OTLP SpanKind: 1 internal, 2 server, 3 client, 4 producer, 5 consumer.
    private static ActivityKind KindOf(int kind) => kind switch
    {
        2 => ActivityKind.Server,
        3 => ActivityKind.Client,
        4 => ActivityKind.Producer,
        5 => ActivityKind.Consumer,
        _ => ActivityKind.Internal,
    };
}
