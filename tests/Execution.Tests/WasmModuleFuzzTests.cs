using CreAspire.Execution.Wasm;
using CreAspire.Fuzzing;
using CreAspire.Protocol.Capabilities;
using CreAspire.Protocol.Sdk;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Xunit.Abstractions;

namespace CreAspire.Execution.Tests;

/// <summary>
/// Workflow binaries come from the registry: a mutated module must either be refused when it is created
/// (<see cref="InvalidOperationException"/> saying which rule it breaks) or, if it still compiles, run to an
/// ExecutionResult (a trap, deadline or malformed answer is an error result, never an exception); the host then still
/// runs the real workflow. Mutants of hello-cron.wasm: a seeded sample of bit flips (1 in 250), truncations (1 in 120), edits and noise;
/// a mutant that still compiles costs a Cranelift compilation (~10-30 ms), which is what bounds the count.
/// </summary>
[Collection(HostCollection.Name)]
public sealed class WasmModuleFuzzTests(HostFixture host, ITestOutputHelper output)
{
    [Fact]
    public async Task Mutated_workflow_binaries_are_refused_at_creation_or_run_to_a_result()
    {
        using var factory = new WasmWorkflowModuleFactory(new WasmHostOptions { DefaultTimeout = TimeSpan.FromMilliseconds(500) });
        var wasm = HostFixture.Workflow("hello-cron");
        var sample = new Random(1841);
        var inputs = Mutations.BitFlips(wasm).Where(_ => sample.Next(250) == 0)
            .Concat(Mutations.Truncations(wasm).Where(_ => sample.Next(120) == 0))
            .Concat(Mutations.Random(wasm, 150, seed: 1842))
            .Concat(Mutations.Noise(100, 300, seed: 1843))
            .Concat(Mutations.Noise(50, 300, seed: 1844).Select(m => m with { Bytes = [0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00, .. m.Bytes] }));

        var tally = await FuzzTally.RunAsync("execution: workflow binaries (wasm)", inputs, async input =>
        {
            Contracts.IWorkflowModule module;
            try
            {
                module = factory.Create(input.Bytes);
            }
            catch (InvalidOperationException ex)
            {
                return FuzzResult.Refused(ex.Message.Contains("not a valid WebAssembly module", StringComparison.Ordinal) ? "not WebAssembly" : "not a CRE v2 module", ex.Message);
            }
#pragma warning disable CA1031 // any other exception is a finding
            catch (Exception ex)
            {
                return FuzzResult.Escaped(ex);
            }

            try
            {
                var request = new ExecuteRequest { Config = ByteString.CopyFromUtf8("*/30 * * * * *"), Subscribe = new Empty(), MaxResponseSize = 1024 * 1024 };
                var result = await module.ExecuteAsync(request, Contexts.For(new CapabilityRegistry()), CancellationToken.None);
                return FuzzResult.Refused(result.ResultCase == ExecutionResult.ResultOneofCase.Error ? "compiled, ran to an error" : "compiled, ran", "ran");
            }
            catch (Exception ex)
#pragma warning restore CA1031
            {
                return FuzzResult.Escaped(ex);
            }
        }, concurrency: 2);

        tally.Report(output).AssertClean();
        var valid = await host.Factory.Create(wasm).ExecuteAsync(
            new ExecuteRequest { Config = ByteString.CopyFromUtf8("0 */5 * * * *"), Subscribe = new Empty(), MaxResponseSize = 1024 * 1024 }, Contexts.For(new CapabilityRegistry()), CancellationToken.None);
        Assert.Equal(ExecutionResult.ResultOneofCase.TriggerSubscriptions, valid.ResultCase);
    }
}
