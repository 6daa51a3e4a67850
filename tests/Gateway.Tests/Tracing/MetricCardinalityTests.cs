using System.Diagnostics.Metrics;
using CreAspire.Gateway.Tests.Support;
using CreAspire.Telemetry.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using ServiceDefaults = Microsoft.Extensions.Hosting.Extensions;

namespace CreAspire.Gateway.Tests.Tracing;

// ServiceDefaults' metrics as every service has them, exporting to the in-test receiver: each metric keeps at most
// MetricCardinalityLimit attribute combinations (the rest land in the SDK's overflow point, nothing is dropped silently), and
// the catch-all view that sets the limit leaves histograms their instruments' bucket boundaries.
public sealed class MetricCardinalityTests : IAsyncLifetime
{
    private const string Service = "metric-limit-test";
    private const string CounterName = "creaspire.test.cardinality";
    private static readonly double[] AspNetCoreDurationBounds = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
    private OtlpReceiver _receiver = null!;
    private WebApplication _app = null!;
    private Meter _meter = null!;

    public async Task InitializeAsync()
    {
        _receiver = await OtlpReceiver.StartAsync();
        _app = ServiceDefaultsApp.CreateBuilder(_receiver, Service).Build();
        _app.MapGet("/plain", () => "ok");
        await _app.StartAsync();
        _meter = new Meter(ServiceDefaults.ActivitySourcePrefix + "Test.Cardinality");
    }

    public async Task DisposeAsync()
    {
        _meter.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    [Fact]
    public async Task A_metric_keeps_at_most_the_limit_of_attribute_combinations_and_histograms_keep_their_bucket_bounds()
    {
        var counter = _meter.CreateCounter<long>(CounterName);
        var combinations = ServiceDefaults.MetricCardinalityLimit + 100;
        for (var i = 0; i < combinations; i++)
        {
            counter.Add(1, new KeyValuePair<string, object?>("peer", $"node-{i}"));
        }

        using (var http = new HttpClient { BaseAddress = ServiceDefaultsApp.BaseAddress(_app), Timeout = TimeSpan.FromSeconds(30) })
        {
            Assert.Equal("ok", await http.GetStringAsync(new Uri("/plain", UriKind.Relative)));
        }

        Assert.True(_app.Services.GetRequiredService<MeterProvider>().ForceFlush(10_000), "the meter provider did not flush within 10 s");
        await Eventually.TrueAsync(
            () => Latest(CounterName) is not null && Latest("http.server.request.duration") is not null,
            $"{CounterName} and http.server.request.duration exported", TimeSpan.FromSeconds(30));

        var points = Latest(CounterName)!.Points;
        var overflow = points.Where(p => p.Attributes.ContainsKey("otel.metric.overflow")).ToList();
        Assert.True(points.Count <= ServiceDefaults.MetricCardinalityLimit + 1, $"{points.Count} points exported for {combinations} combinations");
        var overflowPoint = Assert.Single(overflow);
        Assert.Equal(combinations, (long)points.Sum(p => p.Value));
        Assert.True(overflowPoint.Value >= 100, $"the overflow point counted {overflowPoint.Value}, expected at least the 100 over the limit");

        var duration = Latest("http.server.request.duration")!;
        Assert.All(duration.Points, p => Assert.Equal(AspNetCoreDurationBounds, p.BucketBounds));
    }

    /// <summary>The most recent export of <paramref name="name"/> from this service (cumulative: it holds every point).</summary>
    private CollectedMetric? Latest(string name) =>
        _receiver.Metrics.LastOrDefault(m => m.Service == Service && m.Name == name);
}
