using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Reflection;
using System.Text;
using CreAspire.Attestation.Testing;
using CreAspire.Protocol.Capabilities;
using CreAspire.Protocol.Confidential;
using CreAspire.Protocol.Enclave;
using CreAspire.Protocol.JsonRpc;
using CreAspire.Protocol.Sdk;
using CreAspire.Telemetry.Testing;
using Google.Protobuf;

namespace CreAspire.Enclave.Tests.Tracing;

// The enclave as a real service process (its build output, ServiceDefaults wiring OpenTelemetry because
// OTEL_EXPORTER_OTLP_ENDPOINT is set) exporting OTLP/HTTP protobuf to the in-test receiver: what the E2E trace tests collect.
public sealed class OtlpExportTests : IAsyncLifetime
{
    private OtlpReceiver _receiver = null!;
    private string _identityDirectory = null!;

    public async Task InitializeAsync()
    {
        _receiver = await OtlpReceiver.StartAsync();
        _identityDirectory = Directory.CreateTempSubdirectory("otlp-enclave-").FullName;
        using var identity = FakeNitroIdentity.Create("i-otlp-test-enclave");
        identity.SaveTo(_identityDirectory);
    }

    public async Task DisposeAsync()
    {
        await _receiver.DisposeAsync();
        Directory.Delete(_identityDirectory, recursive: true);
    }

    [Theory]
    [InlineData("http/protobuf")]
    [InlineData("grpc")]
    public async Task A_service_process_exports_its_spans_in_the_callers_trace_with_errors_and_its_metrics_to_the_receiver(string protocol)
    {
        var service = $"enclave-{protocol.Replace('/', '-')}";
        var environment = new Dictionary<string, string>(protocol == "grpc" ? _receiver.GrpcExporterEnvironment(service) : _receiver.ExporterEnvironment(service))
        {
            ["Enclave__IdentityDirectory"] = _identityDirectory,
            // Nothing answers on port 9: this test never gets as far as reading the registry or calling the gateway.
            ["ConnectionStrings__chain"] = "http://127.0.0.1:9",
            ["Chain__CapabilitiesRegistry"] = "0x0000000000000000000000000000000000000001",
            ["Enclave__GatewayUrl"] = "http://127.0.0.1:9/",
        };
        await using var enclave = await ServiceProcess.StartAsync(EnclaveAssembly(), environment);
        var caller = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(enclave.BaseUrl, ConfidentialWorkflowsCapability.RequestsPath))
        {
            Content = JsonContent.Create(UnsignedRequest(), options: RelayJson.Options),
        };
        request.Headers.Add("traceparent", $"00-{caller.TraceId.ToHexString()}-{caller.SpanId.ToHexString()}-01");

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var spans = await _receiver.WaitForTraceAsync(caller.TraceId.ToHexString(), s => s.Any(x => x.Name == "enclave.quorum"), "the enclave's spans of the refused request");
        var tree = new TraceTree(spans);
        var server = Assert.Single(spans, s => s.Kind == ActivityKind.Server && s.Scope == "Microsoft.AspNetCore");
        Assert.Equal(caller.SpanId.ToHexString(), server.ParentSpanId);
        Assert.Equal(service, server.Service);
        var quorum = Assert.Single(tree.Named("enclave.quorum"));
        Assert.Equal(server.SpanId, quorum.ParentSpanId);
        Assert.Equal("CreAspire.Enclave", quorum.Scope);
        Assert.Equal(service, quorum.Service);
        Assert.True(quorum.IsError);
        Assert.Equal("signature is not a valid EIP-191 signature over the compute request hash", quorum.StatusMessage);
        Assert.Equal("rejected", quorum.Attribute("quorum.outcome"));
        Assert.Equal("exec-otlp", quorum.Attribute("workflow.execution_id"));
        Assert.Contains(quorum.Events, e => e.Name == "exception" && (string?)e.Attributes["exception.message"] == quorum.StatusMessage);

        await Eventually(() => _receiver.Metrics.Any(m => m.Service == service && m.Name == EnclaveTelemetry.QuorumInstrument
            && m.Points.Any(p => (string?)p.Attributes.GetValueOrDefault("outcome") == "rejected" && p.Value >= 1)), "the quorum outcome metric");
        await Eventually(() => _receiver.LogExports > 0, "a log export");
        Assert.Equal(0, _receiver.RejectedExports);
    }

    /// <summary>A well-formed compute request with a signature that recovers to nobody: refused (401) before any registry read.</summary>
    private static SignedComputeRequest UnsignedRequest()
    {
        var request = new ConfidentialWorkflowRequest
        {
            Execution = new WorkflowExecution
            {
                WorkflowId = "00" + new string('a', 62),
                BinaryUrl = "http://127.0.0.1:9/workflow.b64",
                BinaryHash = ByteString.CopyFrom(new byte[32]),
                ExecuteRequest = new ExecuteRequest { Trigger = new Trigger { Id = 0 } }.ToByteString(),
                Owner = new string('1', 40),
                ExecutionId = "exec-otlp",
            },
        };
        return new SignedComputeRequest
        {
            AppId = CapabilityIds.ConfidentialWorkflows,
            ApplicationRequestId = "exec-otlp",
            PublicData = Convert.ToBase64String(request.ToByteArray()),
            Signature = "0x" + new string('0', 130),
        };
    }

    private static string EnclaveAssembly() =>
        typeof(OtlpExportTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "EnclaveAssembly").Value!;

    private static async Task Eventually(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"timed out waiting for {what}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>A built service started with <c>dotnet &lt;assembly&gt;</c> on a free loopback port; killed (with its children) on dispose.</summary>
    private sealed class ServiceProcess : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _output = new();

        private ServiceProcess(Process process, Uri baseUrl)
        {
            _process = process;
            BaseUrl = baseUrl;
        }

        public Uri BaseUrl { get; }

        public static async Task<ServiceProcess> StartAsync(string assembly, IReadOnlyDictionary<string, string> environment)
        {
            if (!File.Exists(assembly))
            {
                throw new FileNotFoundException($"{assembly} is not built; build the test project (it builds the service)", assembly);
            }

            var baseUrl = new Uri($"http://127.0.0.1:{FreePort()}");
            var start = new ProcessStartInfo("dotnet") { WorkingDirectory = Path.GetDirectoryName(assembly)!, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            start.ArgumentList.Add(assembly);
            start.Environment["ASPNETCORE_URLS"] = baseUrl.ToString();
            foreach (var (key, value) in environment)
            {
                start.Environment[key] = value;
            }

            var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start dotnet {assembly}");
            var service = new ServiceProcess(process, baseUrl);
            process.OutputDataReceived += (_, e) => service.Append(e.Data);
            process.ErrorDataReceived += (_, e) => service.Append(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            try
            {
                await service.WaitAliveAsync(TimeSpan.FromSeconds(90));
            }
            catch
            {
                await service.DisposeAsync();
                throw;
            }

            return service;
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            _process.Dispose();
        }

        private void Append(string? line)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }

        private async Task WaitAliveAsync(TimeSpan timeout)
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            var deadline = DateTime.UtcNow + timeout;
            while (true)
            {
                if (_process.HasExited)
                {
                    throw new InvalidOperationException($"the service exited with code {_process.ExitCode} before it was alive:\n{Output()}");
                }

                try
                {
                    using var alive = await http.GetAsync(new Uri(BaseUrl, "/alive"));
                    if (alive.IsSuccessStatusCode)
                    {
                        return;
                    }
                }
                catch (HttpRequestException)
                {
                    // not listening yet
                }
                catch (TaskCanceledException)
                {
                    // slow to answer on a loaded machine; try again until the deadline
                }

                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException($"the service was not alive within {timeout.TotalSeconds} s:\n{Output()}");
                }

                await Task.Delay(100);
            }
        }

        private string Output()
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }

        private static int FreePort()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
    }
}

// The receiver on its own: what it does with a body that is not OTLP.
public sealed class OtlpReceiverTests : IAsyncLifetime
{
    private OtlpReceiver _receiver = null!;

    public async Task InitializeAsync() => _receiver = await OtlpReceiver.StartAsync();

    public async Task DisposeAsync() => await _receiver.DisposeAsync();

    [Fact]
    public async Task The_receiver_refuses_a_body_that_is_not_an_OTLP_export_and_counts_it()
    {
        using var http = new HttpClient();
        using var response = await http.PostAsync(new Uri(_receiver.Endpoint, OtlpReceiver.TracesPath), new ByteArrayContent([0xff, 0xff, 0xff]));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.StartsWith("body is not a protobuf ExportTraceServiceRequest", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(1, _receiver.RejectedExports);
    }

    [Fact]
    public async Task The_gRPC_endpoint_ends_a_call_that_is_not_one_length_prefixed_message_with_invalid_argument()
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_receiver.GrpcEndpoint, "/opentelemetry.proto.collector.trace.v1.TraceService/Export"))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent([0, 0, 0, 0, 9, 1]),
        };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/grpc");

        using var response = await http.SendAsync(request);
        await response.Content.ReadAsByteArrayAsync();

        Assert.Equal("3", response.TrailingHeaders.GetValues("grpc-status").Single());
        Assert.Equal("body is not one length-prefixed gRPC message", Uri.UnescapeDataString(response.TrailingHeaders.GetValues("grpc-message").Single()));
        Assert.Equal(1, _receiver.RejectedExports);
    }

    [Fact]
    public async Task The_receiver_decodes_a_gzipped_export()
    {
        var export = new Telemetry.Testing.Otlp.ExportTraceRequest
        {
            ResourceSpans =
            {
                new Telemetry.Testing.Otlp.ResourceSpans
                {
                    Resource = new Telemetry.Testing.Otlp.Resource { Attributes = { new Telemetry.Testing.Otlp.KeyValue { Key = "service.name", Value = new Telemetry.Testing.Otlp.AnyValue { StringValue = "svc" } } } },
                    ScopeSpans =
                    {
                        new Telemetry.Testing.Otlp.ScopeSpans
                        {
                            Spans = { new Telemetry.Testing.Otlp.Span { TraceId = ByteString.CopyFrom(new byte[16] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 }), SpanId = ByteString.CopyFrom(new byte[8] { 1, 1, 1, 1, 1, 1, 1, 1 }), Name = "zipped" } },
                        },
                    },
                },
            },
        };
        using var body = new MemoryStream();
        using (var gzip = new System.IO.Compression.GZipStream(body, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
        {
            export.WriteTo(gzip);
        }

        using var content = new ByteArrayContent(body.ToArray());
        content.Headers.ContentEncoding.Add("gzip");
        using var http = new HttpClient();
        using var response = await http.PostAsync(new Uri(_receiver.Endpoint, OtlpReceiver.TracesPath), content);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var span = Assert.Single(_receiver.Spans);
        Assert.Equal(("zipped", "svc", "0102030405060708090a0b0c0d0e0f10", "0101010101010101"), (span.Name, span.Service, span.TraceId, span.SpanId));
        Assert.Null(span.ParentSpanId);
    }
}
