using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using CreAspire.Telemetry.Testing.Otlp;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace CreAspire.Telemetry.Testing;

/// <summary>One data point of a collected metric: its attributes and either a value (sum, gauge) or count and sum (histogram).</summary>
public sealed record CollectedMetricPoint(IReadOnlyDictionary<string, object?> Attributes, double Value, ulong Count, double Sum)
{
    /// <summary>A histogram point's explicit bucket boundaries (empty for other points).</summary>
    public IReadOnlyList<double> BucketBounds { get; init; } = [];
}

/// <summary>One export of one instrument by one service (cumulative exports repeat the running totals).</summary>
public sealed record CollectedMetric(string Service, string Scope, string Name, string Unit, IReadOnlyList<CollectedMetricPoint> Points);

/// <summary>
/// An OTLP receiver for tests, on two free loopback ports: <see cref="Endpoint"/> takes OTLP/HTTP (binary protobuf POSTed
/// to /v1/traces, /v1/metrics, /v1/logs; OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf, see <see cref="ExporterEnvironment"/>)
/// and <see cref="GrpcEndpoint"/> takes OTLP/gRPC (HTTP/2 cleartext, the exporters' default and what an Aspire AppHost
/// configures), so a test can point a service at it whichever protocol the service was told to use. Spans and metrics are
/// decoded and kept; log records are only counted. An export that is not protobuf of the expected message is refused
/// (HTTP 400, or gRPC status INVALID_ARGUMENT) and counted in <see cref="RejectedExports"/>, so a test can tell "nothing
/// sent" from "sent garbage".
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    public const string TracesPath = "/v1/traces";
    public const string MetricsPath = "/v1/metrics";
    public const string LogsPath = "/v1/logs";

    private const int MaxExportBytes = 64 * 1024 * 1024;
    private static readonly byte[] EmptyResponse = new ExportResponse().ToByteArray();

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<CollectedSpan> _spans = new();
    private readonly ConcurrentQueue<CollectedMetric> _metrics = new();
    private long _logExports;
    private long _rejected;

    private OtlpReceiver(WebApplication app) => _app = app;

    /// <summary>The base URL to export OTLP/HTTP to (OTEL_EXPORTER_OTLP_ENDPOINT with protocol http/protobuf).</summary>
    public Uri Endpoint { get; private set; } = null!;

    /// <summary>The URL to export OTLP/gRPC to (OTEL_EXPORTER_OTLP_ENDPOINT with protocol grpc).</summary>
    public Uri GrpcEndpoint { get; private set; } = null!;

    public IReadOnlyList<CollectedSpan> Spans => [.. _spans];

    public IReadOnlyList<CollectedMetric> Metrics => [.. _metrics];

    public long LogExports => Interlocked.Read(ref _logExports);

    public long RejectedExports => Interlocked.Read(ref _rejected);

    public static async Task<OtlpReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        ListenOptions? http = null, grpc = null;
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, 0, listen => (http = listen).Protocols = HttpProtocols.Http1);
            kestrel.Listen(IPAddress.Loopback, 0, listen => (grpc = listen).Protocols = HttpProtocols.Http2);
        });
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new OtlpReceiver(app);
        Action<byte[]> traces = body => receiver.Add(ExportTraceRequest.Parser.ParseFrom(body));
        Action<byte[]> metrics = body => receiver.Add(ExportMetricsRequest.Parser.ParseFrom(body));
        Action<byte[]> logs = _ => Interlocked.Increment(ref receiver._logExports);
        app.MapPost(TracesPath, context => receiver.ReceiveAsync(context, "ExportTraceServiceRequest", traces));
        app.MapPost(MetricsPath, context => receiver.ReceiveAsync(context, "ExportMetricsServiceRequest", metrics));
        app.MapPost(LogsPath, context => receiver.ReceiveAsync(context, "ExportLogsServiceRequest", logs));
        app.MapPost("/opentelemetry.proto.collector.trace.v1.TraceService/Export", context => receiver.ReceiveGrpcAsync(context, "ExportTraceServiceRequest", traces));
        app.MapPost("/opentelemetry.proto.collector.metrics.v1.MetricsService/Export", context => receiver.ReceiveGrpcAsync(context, "ExportMetricsServiceRequest", metrics));
        app.MapPost("/opentelemetry.proto.collector.logs.v1.LogsService/Export", context => receiver.ReceiveGrpcAsync(context, "ExportLogsServiceRequest", logs));
        await app.StartAsync().ConfigureAwait(false);
        receiver.Endpoint = new Uri($"http://127.0.0.1:{http!.IPEndPoint!.Port}");
        receiver.GrpcEndpoint = new Uri($"http://127.0.0.1:{grpc!.IPEndPoint!.Port}");
        return receiver;
    }

    /// <summary>
    /// Environment for a service process that should export here: the endpoint, http/protobuf, its service name, and short
    /// export intervals (batches every 100 ms, metrics every second) so tests wait for data, not for timers.
    /// </summary>
    public IReadOnlyDictionary<string, string> ExporterEnvironment(string serviceName) => new Dictionary<string, string>
    {
        ["OTEL_EXPORTER_OTLP_ENDPOINT"] = Endpoint.ToString().TrimEnd('/'),
        ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        ["OTEL_SERVICE_NAME"] = serviceName,
        ["OTEL_BSP_SCHEDULE_DELAY"] = "100",
        ["OTEL_BLRP_SCHEDULE_DELAY"] = "100",
        ["OTEL_METRIC_EXPORT_INTERVAL"] = "1000",
    };

    /// <summary>The same for OTLP/gRPC: <see cref="GrpcEndpoint"/> and protocol grpc.</summary>
    public IReadOnlyDictionary<string, string> GrpcExporterEnvironment(string serviceName) => new Dictionary<string, string>(ExporterEnvironment(serviceName))
    {
        ["OTEL_EXPORTER_OTLP_ENDPOINT"] = GrpcEndpoint.ToString().TrimEnd('/'),
        ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "grpc",
    };

    /// <summary>
    /// Waits until the trace of execution <paramref name="executionId"/> meets <paramref name="shape"/> (e.g.
    /// <see cref="ExecutionTraces.Confidential"/>) and returns its spans; the failure lists the unmet steps and the trace.
    /// </summary>
    public async Task<IReadOnlyList<CollectedSpan>> WaitForExecutionTraceAsync(string executionId, TraceExpectation shape, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var traceId = ExecutionTraces.TraceIdOf(executionId);
        try
        {
            return await WaitForTraceAsync(traceId, spans => shape.Problems(spans).Count == 0, $"the trace of execution {executionId}", timeout).ConfigureAwait(false);
        }
        catch (TimeoutException ex)
        {
            var spans = Trace(traceId);
            throw new TraceExpectationException($"{ex.Message}\nUnmet: {string.Join("; ", shape.Problems(spans))}");
        }
    }

    /// <summary>The spans of one trace received so far.</summary>
    public IReadOnlyList<CollectedSpan> Trace(string traceId) => _spans.Where(s => s.TraceId == traceId).ToArray();

    /// <summary>Waits until the spans received so far satisfy <paramref name="condition"/>; the failure lists what arrived.</summary>
    public Task<IReadOnlyList<CollectedSpan>> WaitForSpansAsync(Func<IReadOnlyList<CollectedSpan>, bool> condition, string what, TimeSpan? timeout = null) =>
        SpanWait.UntilAsync(() => Spans, condition, what, timeout);

    /// <summary>Waits until the trace of <paramref name="traceId"/> satisfies <paramref name="condition"/>.</summary>
    public Task<IReadOnlyList<CollectedSpan>> WaitForTraceAsync(string traceId, Func<IReadOnlyList<CollectedSpan>, bool> condition, string what, TimeSpan? timeout = null) =>
        SpanWait.UntilAsync(() => Trace(traceId), condition, what, timeout);

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _app.StopAsync(timeout.Token).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Reads the (possibly gzipped) body and hands it to <paramref name="decode"/>, which throws when it is not <paramref name="message"/>.</summary>
    private async Task ReceiveAsync(HttpContext context, string message, Action<byte[]> decode)
    {
        try
        {
            decode(await ReadBodyAsync(context.Request).ConfigureAwait(false));
        }
        catch (InvalidDataException ex)
        {
            await RejectAsync(context, $"body is not valid gzip or too large: {ex.Message}").ConfigureAwait(false);
            return;
        }
        catch (InvalidProtocolBufferException ex)
        {
            await RejectAsync(context, $"body is not a protobuf {message}: {ex.Message}").ConfigureAwait(false);
            return;
        }

        context.Response.ContentType = "application/x-protobuf";
        await context.Response.Body.WriteAsync(EmptyResponse).ConfigureAwait(false);
    }

    /// <summary>
    /// One unary gRPC call: a length-prefixed message (flag 0, or 1 with grpc-encoding gzip) in, an empty message and
    /// grpc-status 0 out; a malformed call ends with grpc-status 3 (INVALID_ARGUMENT) and the reason in grpc-message.
    /// </summary>
    private async Task ReceiveGrpcAsync(HttpContext context, string message, Action<byte[]> decode)
    {
        context.Response.ContentType = "application/grpc";
        string? failure = null;
        try
        {
            var body = await ReadBodyAsync(context.Request).ConfigureAwait(false);
            if (body.Length < 5 || body[0] > 1 || BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(1)) != body.Length - 5)
            {
                failure = "body is not one length-prefixed gRPC message";
            }
            else
            {
                var payload = body[5..];
                if (body[0] == 1)
                {
                    using var input = new MemoryStream(payload);
                    using var gzip = new GZipStream(input, CompressionMode.Decompress);
                    using var output = new MemoryStream();
                    await gzip.CopyToAsync(output).ConfigureAwait(false);
                    payload = output.ToArray();
                }

                decode(payload);
            }
        }
        catch (InvalidDataException ex)
        {
            failure = $"message is not valid gzip or too large: {ex.Message}";
        }
        catch (InvalidProtocolBufferException ex)
        {
            failure = $"message is not a protobuf {message}: {ex.Message}";
        }

        if (failure is not null)
        {
            Interlocked.Increment(ref _rejected);
            context.Response.AppendTrailer("grpc-status", "3");
            context.Response.AppendTrailer("grpc-message", Uri.EscapeDataString(failure));
            return;
        }

        var frame = new byte[5 + EmptyResponse.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)EmptyResponse.Length);
        EmptyResponse.CopyTo(frame, 5);
        await context.Response.Body.WriteAsync(frame).ConfigureAwait(false);
        context.Response.AppendTrailer("grpc-status", "0");
    }

    private async Task RejectAsync(HttpContext context, string reason)
    {
        Interlocked.Increment(ref _rejected);
        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        await context.Response.WriteAsync(reason).ConfigureAwait(false);
    }

    private static async Task<byte[]> ReadBodyAsync(HttpRequest request)
    {
        using var buffer = new MemoryStream();
        var source = request.Headers.ContentEncoding.ToString().Contains("gzip", StringComparison.OrdinalIgnoreCase)
            ? new GZipStream(request.Body, CompressionMode.Decompress, leaveOpen: true)
            : request.Body;
        await using (source.ConfigureAwait(false))
        {
            var chunk = new byte[81920];
            int read;
            while ((read = await source.ReadAsync(chunk).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > MaxExportBytes)
                {
                    throw new InvalidDataException($"export exceeds {MaxExportBytes} bytes");
                }

                buffer.Write(chunk, 0, read);
            }
        }

        return buffer.ToArray();
    }

    private void Add(ExportTraceRequest request)
    {
        foreach (var resource in request.ResourceSpans)
        {
            var service = ServiceName(resource.Resource);
            foreach (var scope in resource.ScopeSpans)
            {
                foreach (var span in scope.Spans)
                {
                    _spans.Enqueue(new CollectedSpan
                    {
                        TraceId = Convert.ToHexStringLower(span.TraceId.Span),
                        SpanId = Convert.ToHexStringLower(span.SpanId.Span),
                        ParentSpanId = span.ParentSpanId.IsEmpty ? null : Convert.ToHexStringLower(span.ParentSpanId.Span),
                        Name = span.Name,
                        Kind = KindOf(span.Kind),
                        Service = service,
                        Scope = scope.Scope?.Name ?? "",
                        Start = FromUnixNanos(span.StartTimeUnixNano),
                        End = FromUnixNanos(span.EndTimeUnixNano),
                        Attributes = Attributes(span.Attributes),
                        IsError = span.Status?.Code == Status.Types.StatusCode.Error,
                        StatusMessage = span.Status is { Message.Length: > 0 } status ? status.Message : null,
                        Links = span.Links.Select(l => new CollectedLink(Convert.ToHexStringLower(l.TraceId.Span), Convert.ToHexStringLower(l.SpanId.Span), Attributes(l.Attributes))).ToArray(),
                        Events = span.Events.Select(e => new CollectedEvent(e.Name, FromUnixNanos(e.TimeUnixNano), Attributes(e.Attributes))).ToArray(),
                    });
                }
            }
        }
    }

    private void Add(ExportMetricsRequest request)
    {
        foreach (var resource in request.ResourceMetrics)
        {
            var service = ServiceName(resource.Resource);
            foreach (var scope in resource.ScopeMetrics)
            {
                foreach (var metric in scope.Metrics)
                {
                    var points = metric.DataCase switch
                    {
                        Metric.DataOneofCase.Sum => metric.Sum.DataPoints.Select(Point).ToArray(),
                        Metric.DataOneofCase.Gauge => metric.Gauge.DataPoints.Select(Point).ToArray(),
                        Metric.DataOneofCase.Histogram => metric.Histogram.DataPoints
                            .Select(p => new CollectedMetricPoint(Attributes(p.Attributes), p.HasSum ? p.Sum : 0, p.Count, p.HasSum ? p.Sum : 0) { BucketBounds = [.. p.ExplicitBounds] }).ToArray(),
                        _ => [],
                    };
                    _metrics.Enqueue(new CollectedMetric(service, scope.Scope?.Name ?? "", metric.Name, metric.Unit, points));
                }
            }
        }

        static CollectedMetricPoint Point(NumberDataPoint p)
        {
            var value = p.ValueCase == NumberDataPoint.ValueOneofCase.AsInt ? p.AsInt : p.AsDouble;
            return new CollectedMetricPoint(Attributes(p.Attributes), value, 0, value);
        }
    }

    private static string ServiceName(Resource? resource) =>
        resource?.Attributes.FirstOrDefault(a => a.Key == "service.name")?.Value?.StringValue ?? "";

    private static Dictionary<string, object?> Attributes(IEnumerable<KeyValue> attributes)
    {
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var attribute in attributes)
        {
            result[attribute.Key] = Value(attribute.Value);
        }

        return result;
    }

    private static object? Value(AnyValue? value) => value?.ValueCase switch
    {
        AnyValue.ValueOneofCase.StringValue => value.StringValue,
        AnyValue.ValueOneofCase.BoolValue => value.BoolValue,
        AnyValue.ValueOneofCase.IntValue => value.IntValue,
        AnyValue.ValueOneofCase.DoubleValue => value.DoubleValue,
        AnyValue.ValueOneofCase.BytesValue => value.BytesValue.ToByteArray(),
        AnyValue.ValueOneofCase.ArrayValue => value.ArrayValue.Values.Select(Value).ToArray(),
        AnyValue.ValueOneofCase.KvlistValue => Attributes(value.KvlistValue.Values),
        _ => null,
    };

    private static ActivityKind KindOf(Span.Types.SpanKind kind) => kind switch
    {
        Span.Types.SpanKind.Server => ActivityKind.Server,
        Span.Types.SpanKind.Client => ActivityKind.Client,
        Span.Types.SpanKind.Producer => ActivityKind.Producer,
        Span.Types.SpanKind.Consumer => ActivityKind.Consumer,
        _ => ActivityKind.Internal,
    };

    private static DateTimeOffset FromUnixNanos(ulong nanos) => DateTimeOffset.UnixEpoch.AddTicks((long)(nanos / 100));
}
