using System.Collections.Concurrent;
using CreAspire.Chain.Registries;
using CreAspire.Execution.Contracts;
using CreAspire.Protocol.Capabilities;
using CreAspire.Protocol.Sdk;
using Microsoft.Extensions.Logging.Abstractions;

namespace CreAspire.WorkflowNode.Tests;

/// <summary>The WorkflowRegistry as a mutable list (the chain binding is tested against Anvil by the chain component).</summary>
public sealed class FakeRegistryReader : IWorkflowRegistryReader
{
    private readonly object _gate = new();
    private readonly List<WorkflowMetadata> _workflows = [];

    public int Reads { get; private set; }

    public string Address => "0x00000000000000000000000000000000000000f1";

    /// <summary>What typeAndVersion() answers (the syncer refuses anything but the targeted WorkflowRegistry).</summary>
    public string TypeAndVersion { get; set; } = CreAspire.Chain.Contracts.RegistryContracts.WorkflowRegistryTypeAndVersion;

    public Task<string> TypeAndVersionAsync(CancellationToken cancellationToken) => Task.FromResult(TypeAndVersion);

    public List<(string DonFamily, ulong Start, ulong Limit)> Calls { get; } = [];

    public void Upsert(WorkflowMetadata workflow)
    {
        lock (_gate)
        {
            var index = _workflows.FindIndex(w => w.Owner == workflow.Owner && w.WorkflowName == workflow.WorkflowName && w.Tag == workflow.Tag);
            if (index >= 0)
            {
                _workflows[index] = workflow;
            }
            else
            {
                _workflows.Add(workflow);
            }
        }
    }

    public void Remove(byte[] workflowId)
    {
        lock (_gate)
        {
            _workflows.RemoveAll(w => w.WorkflowId.AsSpan().SequenceEqual(workflowId));
        }
    }

    public Task<IReadOnlyList<WorkflowMetadata>> GetWorkflowListByDonAsync(string donFamily, ulong start, ulong limit, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            Reads++;
            Calls.Add((donFamily, start, limit));
            IReadOnlyList<WorkflowMetadata> page = _workflows.Where(w => w.DonFamily == donFamily).Skip((int)start).Take((int)limit).ToList();
            return Task.FromResult(page);
        }
    }
}

/// <summary>Counts how often the local WASM path is asked for a module.</summary>
public sealed class FakeModuleFactory : IWorkflowModuleFactory
{
    private int _calls;

    public int Calls => _calls;

    public ConcurrentBag<byte[]> Binaries { get; } = [];

    public IWorkflowModule Create(byte[] wasm)
    {
        Interlocked.Increment(ref _calls);
        Binaries.Add(wasm);
        return new LocalModule();
    }

    public sealed class LocalModule : IWorkflowModule
    {
        public Task<ExecutionResult> ExecuteAsync(ExecuteRequest request, ModuleExecutionContext context, CancellationToken cancellationToken) =>
            Task.FromResult(new ExecutionResult { TriggerSubscriptions = new TriggerSubscriptionRequest() });
    }
}

/// <summary>Records every engine it builds; optionally runs the subscribe request on start like the real engine.</summary>
public sealed class FakeEngineFactory : IWorkflowEngineFactory
{
    private readonly ConcurrentQueue<FakeEngine> _created = new();

    public bool SubscribeOnStart { get; set; }

    /// <summary>Start fails while this is set (engine initialization failure).</summary>
    public string? StartFailure { get; set; }

    public IReadOnlyList<FakeEngine> Created => _created.ToArray();

    public IReadOnlyList<FakeEngine> Running => _created.Where(e => e.Started && !e.Stopped).ToArray();

    public IWorkflowEngine Create(EngineConfig config, IWorkflowModule module)
    {
        var engine = new FakeEngine(config, module, this);
        _created.Enqueue(engine);
        return engine;
    }

    public sealed class FakeEngine(EngineConfig config, IWorkflowModule module, FakeEngineFactory factory) : IWorkflowEngine
    {
        public EngineConfig Config { get; } = config;

        public IWorkflowModule Module { get; } = module;

        public bool Started { get; private set; }

        public bool Stopped { get; private set; }

        public bool Disposed { get; private set; }

        public ExecutionResult? SubscribeResult { get; private set; }

        public async Task StartAsync(CancellationToken cancellationToken)
        {
            if (factory.StartFailure is { } failure)
            {
                throw new InvalidOperationException(failure);
            }

            if (factory.SubscribeOnStart)
            {
                var metadata = new CapabilityRequestMetadata { WorkflowDonId = Config.WorkflowDonId };
                var context = new ModuleExecutionContext("", metadata, NoCapabilities.Instance, NoCapabilities.Instance, NullLogger.Instance);
                SubscribeResult = await Module.ExecuteAsync(
                    new ExecuteRequest { Subscribe = new Google.Protobuf.WellKnownTypes.Empty(), Config = Google.Protobuf.ByteString.CopyFrom(Config.Config) },
                    context, cancellationToken);
            }

            Started = true;
        }

        public Task StopAsync(CancellationToken cancellationToken)
        {
            Stopped = true;
            return Task.CompletedTask;
        }

        public ValueTask DisposeAsync()
        {
            Disposed = true;
            return ValueTask.CompletedTask;
        }
    }
}

/// <summary>A module context with nothing to call (the confidential path never calls back into the node).</summary>
public sealed class NoCapabilities : ICapabilityDispatcher, ISecretsProvider
{
    public static NoCapabilities Instance { get; } = new();

    public Task<CapabilityResponse> CallAsync(CapabilityRequest request, CapabilityRequestMetadata metadata, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("no capability calls expected in this test");

    public Task<IReadOnlyList<SecretResponse>> GetSecretsAsync(IReadOnlyList<SecretRequest> requests, CapabilityRequestMetadata metadata, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("no secrets expected in this test");
}

/// <summary>confidential-workflows@1.0.0-alpha as a recorder answering with a configurable response.</summary>
public sealed class FakeConfidentialCapability(Func<CapabilityCall, CapabilityResponse> answer) : IExecutableCapability
{
    public string Id => CapabilityIds.ConfidentialWorkflows;

    public ConcurrentQueue<CapabilityCall> Calls { get; } = new();

    public Task<CapabilityResponse> ExecuteAsync(CapabilityCall call, CancellationToken cancellationToken)
    {
        Calls.Enqueue(call);
        return Task.FromResult(answer(call));
    }
}
