using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CreAspire.Explorer.Configuration;
using CreAspire.Operations.Decoding;
using CreAspire.Operations.Nodes;
using CreAspire.Operations.Registry;
using CreAspire.Protocol.Workflows;

namespace CreAspire.Explorer.Sources;

/// <summary>A session a node opened to a peer.</summary>
public sealed record PeerSession(string Peer, string State, string? Reason);

/// <summary>How one node answered the explorer's last reads.</summary>
public sealed record NodeStatus(string Name, NodeRole Role, Uri Url, bool Reachable, string? Error, string? Address, IReadOnlyList<PeerSession> Sessions);

/// <summary>A workflow as the WorkflowRegistry holds it, beside each workflow node's view (null: the node does not know it).</summary>
public sealed record WorkflowEntry(RegistryWorkflow Registry, IReadOnlyDictionary<string, NodeWorkflowView?> Nodes)
{
    public string AttributesText => Encoding.UTF8.GetString(Registry.Attributes);

    /// <summary>True/false from the attributes' "confidential" flag; null when the attributes are empty or not valid JSON.</summary>
    public bool? Confidential
    {
        get
        {
            if (Registry.Attributes.Length == 0)
            {
                return false;
            }

            try
            {
                return JsonNode.Parse(Registry.Attributes) is JsonObject o && o["confidential"] is JsonValue v && v.TryGetValue(out bool flag) && flag;
            }
            catch (JsonException)
            {
                return null;
            }
        }
    }

    public string AttributesPretty
    {
        get
        {
            if (Registry.Attributes.Length == 0)
            {
                return "(none)";
            }

            try
            {
                return PayloadDecoder.Format(JsonNode.Parse(Registry.Attributes));
            }
            catch (JsonException ex)
            {
                return $"{AttributesText}\n(not valid JSON: {ex.Message})";
            }
        }
    }
}

/// <summary>What mock@1.0.0 recorded on one capability node.</summary>
public sealed record MockRequestView(
    string Node, long Id, string CapabilityId, string Method, string WorkflowId, string ExecutionId, long CallerDonId, string[] CallerNodes,
    string PayloadHex, DateTimeOffset ReceivedAt)
{
    public string DecodedPayload => PayloadDecoder.Format(PayloadDecoder.DecodeMockInput(PayloadHex));
}

/// <summary>A secret vault@1.0.0 was asked for on one capability node (never its value).</summary>
public sealed record VaultRequestView(
    string Node, long Id, string Owner, string Namespace, string Key, string Outcome, int EncryptionKeys, string WorkflowId, string ExecutionId,
    long CallerDonId, string[] CallerNodes, DateTimeOffset ReceivedAt);

/// <summary>The enclave's identity as the relay DON trusts it: module id, PCRs, and the root certificate's fingerprint.</summary>
public sealed record EnclaveView(string ModuleId, IReadOnlyList<KeyValuePair<string, string>> Pcrs, string RootSubject, string RootFingerprint);

/// <summary>Everything the pages show, read at one time; a new one replaces it on every refresh.</summary>
public sealed record ExplorerSnapshot(
    long Version,
    DateTimeOffset ReadAt,
    IReadOnlyList<WorkflowEntry> Workflows,
    IReadOnlyDictionary<string, IReadOnlyList<NodeExecution>> Executions,
    RegistryTopology? Topology,
    IReadOnlyList<NodeStatus> Nodes,
    IReadOnlyList<string>? GatewayConnected,
    EnclaveView? Enclave,
    IReadOnlyList<MockRequestView> MockRequests,
    IReadOnlyList<VaultRequestView> VaultRequests,
    IReadOnlyList<string> Problems)
{
    public static ExplorerSnapshot Empty { get; } = new(0, DateTimeOffset.MinValue, [], new Dictionary<string, IReadOnlyList<NodeExecution>>(), null, [], null, null, [], [], []);

    /// <summary>The node name behind a signer address, when a node told its address.</summary>
    public string NameOf(string address) =>
        Nodes.FirstOrDefault(n => string.Equals(n.Address, address, StringComparison.OrdinalIgnoreCase))?.Name ?? Short(address);

    public string DonName(long donId) => Topology?.Dons.FirstOrDefault(d => d.Id == donId)?.Name is { } name ? $"{name} (#{donId})" : $"#{donId}";

    public static string Short(string? hex) => hex is null ? "" : hex.Length > 14 ? $"{hex[..8]}…{hex[^4..]}" : hex;
}
