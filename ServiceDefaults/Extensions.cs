using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The service defaults every CreAspire service uses (shape of the Aspire template): OpenTelemetry with OTLP export only when
/// OTEL_EXPORTER_OTLP_ENDPOINT is set, health checks, service discovery (services__name__endpoint__0) and resilience.
/// </summary>
public static class Extensions
{
    public const string HealthEndpointPath = "/health";
    public const string AlivenessEndpointPath = "/alive";

    /// <summary>Activity source names of CreAspire components, traced by every service.</summary>
    public const string ActivitySourcePrefix = "CreAspire.";

    /// <summary>
    /// Log levels every service starts from (the Aspire template's appsettings.json, plus the per-request categories): below
    /// appsettings.json and environment variables, which still override them. At Information these categories write several
    /// lines per health probe, chain poll and SQL command, which 14 processes format and the AppHost stores, at start and idle.
    /// </summary>
    public static IReadOnlyDictionary<string, string?> DefaultLogLevels { get; } = new Dictionary<string, string?>
    {
        ["Logging:LogLevel:Default"] = "Information",
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
        ["Logging:LogLevel:System.Net.Http.HttpClient"] = "Warning",
        ["Logging:LogLevel:Polly"] = "Warning",
        ["Logging:LogLevel:Npgsql"] = "Warning",
    };

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        JitLog.StartIfRequested(builder.Configuration["OTEL_SERVICE_NAME"] ?? builder.Environment.ApplicationName);
        JitProfile.AddIfRequested(builder.Services);

        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = DefaultLogLevels });
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();
        // The AppHost stops every resource on Ctrl+C and must be done within seconds: a background loop slow to notice its
        // cancellation must not hold a node up for the default 30 s.
        builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = TimeSpan.FromSeconds(3));
        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            http.AddStandardResilienceHandler();
            http.AddServiceDiscovery();
        });
        return builder;
    }

    /// <summary>
    /// The most attribute combinations one metric keeps (more go to the SDK's overflow point, otel.metric.overflow=true). The
    /// SDK's default, 2000, preallocates a 144 KB array of points per metric stream: about 40 streams made 6 MiB of large
    /// object heap in every service, 14 of them idle in the default topology. CreAspire's own metrics are tagged by path,
    /// outcome, DON and peer; ASP.NET Core's and HttpClient's by route, method and status: tens of combinations, not thousands.
    /// </summary>
    public const int MetricCardinalityLimit = 200;

    /// <summary>
    /// OpenTelemetry logs, metrics and traces exported over OTLP, when OTEL_EXPORTER_OTLP_ENDPOINT is set. Without an endpoint
    /// nothing is registered: with no exporter the providers only collected for nobody, and their listeners, instrumentation
    /// and per-request activities cost every service start-up CPU and resident memory.
    /// </summary>
    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        if (!ExportsTelemetry(builder.Configuration))
        {
            return builder;
        }

        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter(ActivitySourcePrefix + "*")
                .AddView(_ => new MetricStreamConfiguration { CardinalityLimit = MetricCardinalityLimit }))
            .WithTracing(tracing => tracing
                .AddSource(builder.Environment.ApplicationName)
                .AddSource(ActivitySourcePrefix + "*")
                .AddAspNetCoreInstrumentation(options => options.Filter = IsTracedRequest)
                .AddHttpClientInstrumentation(options => options.FilterHttpRequestMessage = request => !IsWebSocketUpgrade(request)))
            .UseOtlpExporter();
        return builder;
    }

    /// <summary>
    /// Whether an incoming request gets a span. Not the health probes (every few hundred milliseconds, they would drown the
    /// traces), and not a WebSocket upgrade: the gateway's /node and the DON's /don/v1/session connections live as long as the
    /// node, so their server span would last hours, end only at shutdown and sit as an empty root trace in the dashboard. What
    /// travels over those sockets is traced per message (gateway.forward, don.serve), in the caller's trace.
    /// </summary>
    public static bool IsTracedRequest(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return !context.Request.Path.StartsWithSegments(HealthEndpointPath)
               && !context.Request.Path.StartsWithSegments(AlivenessEndpointPath)
               && !IsWebSocketUpgrade(context.Request);
    }

    /// <summary>
    /// A WebSocket opening handshake, judged from the request itself: the span starts before the WebSockets middleware has
    /// looked at it. HTTP/1.1 asks with Upgrade: websocket, HTTP/2 and HTTP/3 with an extended CONNECT.
    /// </summary>
    public static bool IsWebSocketUpgrade(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return HttpMethods.IsConnect(request.Method)
               || request.Headers.Upgrade.Any(value => value?.Contains("websocket", StringComparison.OrdinalIgnoreCase) == true);
    }

    /// <summary>The client side of the same: a ClientWebSocket's upgrade request (Upgrade: websocket) gets no HttpClient span.</summary>
    public static bool IsWebSocketUpgrade(HttpRequestMessage request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Headers.Upgrade.Any(p => string.Equals(p.Name, "websocket", StringComparison.OrdinalIgnoreCase))
               || (request.Version.Major >= 2 && request.Method == HttpMethod.Connect);
    }

    /// <summary>Whether telemetry goes anywhere: OTEL_EXPORTER_OTLP_ENDPOINT is set (the AppHost sets it to the dashboard).</summary>
    public static bool ExportsTelemetry(Configuration.IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration?["OTEL_EXPORTER_OTLP_ENDPOINT"]);

    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), ["live"]);
        return builder;
    }

    /// <summary>/health: every registered check (readiness: dependencies reachable). /alive: only the "live" checks.</summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapHealthChecks(HealthEndpointPath);
        app.MapHealthChecks(AlivenessEndpointPath, new HealthCheckOptions { Predicate = r => r.Tags.Contains("live") });
        var startupLog = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("CreAspire.Startup");
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            using var process = System.Diagnostics.Process.GetCurrentProcess();
            startupLog.LogInformation(
                "Started {Seconds:0.00} s after launch: {Cpu:0.00} s CPU, {Methods} methods JIT-compiled in {Jit:0.00} s",
                (DateTime.Now - process.StartTime).TotalSeconds, process.TotalProcessorTime.TotalSeconds,
                System.Runtime.JitInfo.GetCompiledMethodCount(), System.Runtime.JitInfo.GetCompilationTime().TotalSeconds);
        });
        return app;
    }
}
