using System.Text;
using CreAspire.Chain.Contracts;
using CreAspire.Chain.Registries;
using CreAspire.Chain.Testing;

namespace CreAspire.Chain.Tests.Registries;

/// <summary>
/// The contract is the public interface: a workflow registered with Foundry's cast, from nothing but the ABI JSON that
/// @chainlink/contracts publishes, is what the syncer's reader lists. (WorkflowNode.Tests goes on from here: a node
/// activates such a workflow and runs it.)
/// </summary>
[Collection(AnvilCollection.Name)]
public class RawAbiRegistrationTests(AnvilChainFixture chain)
{
    private readonly CancellationToken _ct = AnvilChainFixture.Timeout();

    [Fact]
    public async Task A_workflow_upserted_by_cast_from_the_published_ABI_is_listed_by_the_syncers_reader()
    {
        var family = await chain.NewFamilyAsync();
        var id = AnvilChainFixture.Id("cast-" + family);
        var attributes = """{"confidential":true}""";

        await Cast.RunAsync(
        [
            "send", "--rpc-url", chain.Anvil.RpcUrl, "--private-key", DevAccounts.WorkflowOwnerPrivateKey, chain.Deployed.WorkflowRegistry,
            Cast.Signature("WorkflowRegistry", "upsertWorkflow"),
            "cast-workflow", "v1", "0x" + Convert.ToHexStringLower(id), "0", family, "http://127.0.0.1:9000/cast.wasm", "http://127.0.0.1:9000/cast.config",
            "0x" + Convert.ToHexStringLower(Encoding.UTF8.GetBytes(attributes)), "true",
        ], _ct);
        var typeAndVersion = await Cast.RunAsync(
            ["call", "--rpc-url", chain.Anvil.RpcUrl, chain.Deployed.WorkflowRegistry, Cast.Signature("WorkflowRegistry", "typeAndVersion") + "(string)"], _ct);

        IWorkflowRegistryReader reader = chain.Workflows;
        var listed = Assert.Single(await reader.GetWorkflowListByDonAsync(family, 0, 10, _ct));
        Assert.Equal(id, listed.WorkflowId);
        Assert.Equal(chain.Deployed.WorkflowOwner, listed.Owner);
        Assert.Equal("cast-workflow", listed.WorkflowName);
        Assert.Equal(attributes, Encoding.UTF8.GetString(listed.Attributes));
        Assert.Equal("\"WorkflowRegistry 2.0.0-dev\"", typeAndVersion.Trim());
    }

    [Fact]
    public void Signatures_come_from_the_published_ABI_with_tuples_expanded()
    {
        Assert.Equal("upsertWorkflow(string,string,bytes32,uint8,string,string,string,bytes,bool)", Cast.Signature("WorkflowRegistry", "upsertWorkflow"));
        Assert.Equal("addNodeOperators((address,string)[])", Cast.Signature("CapabilitiesRegistry", "addNodeOperators"));
        Assert.Contains("declares 0 functions named 'noSuchFunction'", Assert.Throws<InvalidOperationException>(() => Cast.Signature("WorkflowRegistry", "noSuchFunction")).Message, StringComparison.Ordinal);
    }
}
