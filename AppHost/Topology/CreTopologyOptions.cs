using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace CreAspire.AppHost.Topology;

/// <summary>The knobs of the default topology (ARCHITECTURE §3): node counts, F per DON, identity seed, artifacts folder.</summary>
public sealed class CreTopologyOptions
{
    public int WorkflowNodes { get; set; } = 4;

    public int RelayNodes { get; set; } = 4;

    public int CapabilityNodes { get; set; } = 4;

    public int WorkflowF { get; set; } = 1;

    public int RelayF { get; set; } = 1;

    public int CapabilityF { get; set; } = 1;

    /// <summary>Node keys are derived from this seed and the node name (NodeIdentity.Derive).</summary>
    public string Seed { get; set; } = "creaspire-dev";

    /// <summary>Folder the artifacts server serves (workflow binaries and configs), relative to the AppHost folder.</summary>
    public string ArtifactsFolder { get; set; } = "../.creaspire/artifacts";

    /// <summary>
    /// Postgres and Anvil as containers (Aspire.Hosting.PostgreSQL, the Foundry image) instead of local executables:
    /// --containers true|false|auto (auto: when a container runtime answers). Publish mode always describes the containers.
    /// </summary>
    public string Containers { get; set; } = "auto";

    /// <summary>
    /// First port of the fixed port layout (--port-base; 0: free ports). Default 19000, or free ports when the testing
    /// builder randomizes ports (DcpPublisher:RandomizePorts), so parallel test apps never collide.
    /// </summary>
    public int PortBase { get; set; } = DefaultPortBase;

    public const int DefaultPortBase = 19000;

    /// <summary>Services export OTLP to the dashboard (--telemetry; tests without a dashboard turn it off).</summary>
    public bool Telemetry { get; set; } = true;

    /// <summary>
    /// The enclave sends one attested secrets.get for a secret nobody has through the gateway at start, so the gateway, the
    /// relays and the vault pay their first use of the confidential path then, not in the first execution (--path-probe).
    /// </summary>
    public bool PathProbe { get; set; } = true;

    /// <summary>
    /// Each service plays back the multicore JIT profile its last run recorded (&lt;build output&gt;/jit-profiles), so what
    /// ReadyToRun could not precompile is compiled in the background at start, not in the first deploy and execution
    /// (--jit-profiles).
    /// </summary>
    public bool JitProfiles { get; set; } = true;

    /// <summary>One DON that is both workflow DON and capability DON (no relay DON, gateway or enclave): --single-don.</summary>
    public bool SingleDon { get; set; }

    /// <summary>Value of the vault's MOCK_SECRET for the default workflow owner (Anvil account #1): --sample-secret.</summary>
    public string SampleSecret { get; set; } = "s3cret-from-vault";

    /// <summary>
    /// Deploys the registries and registers the DONs; its addresses reach every service as Chain__WorkflowRegistry and
    /// Chain__CapabilitiesRegistry. Null: the contracts step only verifies the chain and records its id.
    /// </summary>
    public Func<RegistryDeploymentRequest, CancellationToken, Task<RegistryDeployment>>? DeployRegistries { get; set; }

    /// <summary>Reads --workflow-nodes, --relay-nodes, --capability-nodes, --workflow-f, --relay-f, --capability-f, --seed,
    /// --artifacts, --single-don, --sample-secret, --containers, --port-base, --telemetry, --path-probe, --jit-profiles (or Topology:WorkflowNodes etc.).</summary>
    public static CreTopologyOptions FromConfiguration(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = new CreTopologyOptions();
        options.WorkflowNodes = ReadInt(configuration, "workflow-nodes", "WorkflowNodes", options.WorkflowNodes);
        options.RelayNodes = ReadInt(configuration, "relay-nodes", "RelayNodes", options.RelayNodes);
        options.CapabilityNodes = ReadInt(configuration, "capability-nodes", "CapabilityNodes", options.CapabilityNodes);
        options.WorkflowF = ReadInt(configuration, "workflow-f", "WorkflowF", options.WorkflowF);
        options.RelayF = ReadInt(configuration, "relay-f", "RelayF", options.RelayF);
        options.CapabilityF = ReadInt(configuration, "capability-f", "CapabilityF", options.CapabilityF);
        options.Seed = configuration["seed"] ?? configuration["Topology:Seed"] ?? options.Seed;
        options.ArtifactsFolder = configuration["artifacts"] ?? configuration["Topology:ArtifactsFolder"] ?? options.ArtifactsFolder;
        options.SingleDon = bool.TryParse(configuration["single-don"] ?? configuration["Topology:SingleDon"], out var single) && single;
        options.SampleSecret = configuration["sample-secret"] ?? configuration["Topology:SampleSecret"] ?? options.SampleSecret;
        options.Containers = (configuration["containers"] ?? configuration["Topology:Containers"] ?? options.Containers).ToLowerInvariant();
        if (options.Containers is not ("auto" or "true" or "false"))
        {
            throw new ArgumentException($"--containers must be true, false or auto, not '{options.Containers}'.");
        }

        var randomized = bool.TryParse(configuration["DcpPublisher:RandomizePorts"], out var randomize) && randomize;
        options.PortBase = ReadInt(configuration, "port-base", "PortBase", randomized ? 0 : options.PortBase);
        if (options.PortBase is < 0 or > 65000)
        {
            throw new ArgumentException($"--port-base must be 0 (free ports) or a port from 1 to 65000, not {options.PortBase}.");
        }

        options.Telemetry = !bool.TryParse(configuration["telemetry"] ?? configuration["Topology:Telemetry"], out var telemetry) || telemetry;
        options.PathProbe = !bool.TryParse(configuration["path-probe"] ?? configuration["Topology:PathProbe"], out var probe) || probe;
        options.JitProfiles = !bool.TryParse(configuration["jit-profiles"] ?? configuration["Topology:JitProfiles"], out var jitProfiles) || jitProfiles;
        options.Validate();
        return options;
    }

    /// <summary>Each DON needs at least 3F+1 nodes for its quorum rules (a DON of 1 node with F=0 is allowed).</summary>
    public void Validate()
    {
        Check("workflow", WorkflowNodes, WorkflowF);
        if (!SingleDon)
        {
            Check("relay", RelayNodes, RelayF);
            Check("capability", CapabilityNodes, CapabilityF);
        }
    }

    private static void Check(string don, int nodes, int f)
    {
        if (nodes < 1 || f < 0 || nodes < (3 * f) + 1)
        {
            throw new ArgumentException(
                $"The {don} DON has {nodes} nodes and F={f}; it needs at least 3F+1 = {(3 * f) + 1} nodes (and F ≥ 0). " +
                $"Change --{don}-nodes or --{don}-f.");
        }
    }

    private static int ReadInt(IConfiguration configuration, string switchName, string key, int fallback)
    {
        var text = configuration[switchName] ?? configuration[$"Topology:{key}"];
        if (text is null)
        {
            return fallback;
        }

        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new ArgumentException($"--{switchName} must be a whole number, not '{text}'.");
    }
}
