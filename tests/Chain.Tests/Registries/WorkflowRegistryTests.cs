using System.Text;
using CreAspire.Chain.Contracts;
using CreAspire.Chain.Crypto;
using CreAspire.Chain.Registries;

namespace CreAspire.Chain.Tests.Registries;

[Collection(AnvilCollection.Name)]
public class WorkflowRegistryTests(AnvilChainFixture chain)
{
    private const string ConfidentialAttributes = """{"confidential":true,"vault_don_secrets":[{"key":"MOCK_SECRET"}]}""";
    private readonly CancellationToken _ct = AnvilChainFixture.Timeout();

    [Fact]
    public async Task Registry_reports_the_v2_type_and_version()
    {
        Assert.Equal("WorkflowRegistry 2.0.0", await chain.Workflows.TypeAndVersionAsync(_ct));
    }

    [Fact]
    public async Task Confidential_workflow_reads_back_every_field_through_getWorkflowListByDON()
    {
        var family = await chain.NewFamilyAsync();
        var registration = chain.NewRegistration(family, ConfidentialAttributes);

        var receipt = await chain.Workflows.UpsertWorkflowAsync(chain.Owner, registration, _ct);

        var list = await chain.Workflows.GetWorkflowListByDonAsync(family, 0, 10, _ct);
        var workflow = Assert.Single(list);
        Assert.Equal(registration.WorkflowId, workflow.WorkflowId);
        Assert.Equal(chain.Owner.Address, workflow.Owner);
        Assert.Equal(WorkflowStatus.Active, workflow.Status);
        Assert.Equal(registration.WorkflowName, workflow.WorkflowName);
        Assert.Equal(registration.BinaryUrl, workflow.BinaryUrl);
        Assert.Equal(registration.ConfigUrl, workflow.ConfigUrl);
        Assert.Equal("v1", workflow.Tag);
        Assert.Equal(ConfidentialAttributes, Encoding.UTF8.GetString(workflow.Attributes));
        Assert.Equal(family, workflow.DonFamily);
        var block = await chain.Rpc.CallAsync("eth_getBlockByNumber", ["0x" + receipt.BlockNumber.ToString("x", System.Globalization.CultureInfo.InvariantCulture), false], _ct);
        Assert.Equal(Hex.ParseQuantity(block!["timestamp"]!.GetValue<string>()), workflow.CreatedAt);
    }

    [Fact]
    public async Task Registration_emits_WorkflowRegistered_with_the_reference_parameters()
    {
        var family = await chain.NewFamilyAsync();
        var registration = chain.NewRegistration(family);

        var receipt = await chain.Workflows.UpsertWorkflowAsync(chain.Owner, registration, _ct);

        var registered = Assert.Single(chain.Workflows.DecodeEvents(receipt));
        Assert.Equal("WorkflowRegistered", registered.Name);
        Assert.Equal(registration.WorkflowId, registered["workflowId"].AsBytes());
        Assert.Equal(chain.Owner.Address, registered["owner"].AsAddress());
        Assert.Equal(family, registered["donFamily"].AsString());
        Assert.Equal(0, (int)registered["status"].AsInteger());
        Assert.Equal(registration.WorkflowName, registered["workflowName"].AsString());
        var fromLogs = await chain.Workflows.GetEventsAsync(receipt.BlockNumber, _ct);
        Assert.Contains(fromLogs, e => e.Name == "WorkflowRegistered" && e["workflowId"].AsBytes().SequenceEqual(registration.WorkflowId));
    }

    [Fact]
    public async Task Listing_pages_through_all_workflows_of_a_family()
    {
        var family = await chain.NewFamilyAsync();
        var registered = new List<byte[]>();
        for (var i = 0; i < 5; i++)
        {
            var registration = chain.NewRegistration(family);
            await chain.Workflows.UpsertWorkflowAsync(chain.Owner, registration, _ct);
            registered.Add(registration.WorkflowId);
        }

        var page0 = await chain.Workflows.GetWorkflowListByDonAsync(family, 0, 2, _ct);
        var page1 = await chain.Workflows.GetWorkflowListByDonAsync(family, 2, 2, _ct);
        var page2 = await chain.Workflows.GetWorkflowListByDonAsync(family, 4, 2, _ct);
        var beyond = await chain.Workflows.GetWorkflowListByDonAsync(family, 5, 2, _ct);

        Assert.Equal([2, 2, 1, 0], new[] { page0.Count, page1.Count, page2.Count, beyond.Count });
        Assert.Equal(registered.Select(id => Hex.Encode(id)), page0.Concat(page1).Concat(page2).Select(w => Hex.Encode(w.WorkflowId)));
        Assert.Equal(5, (await chain.Workflows.GetAllWorkflowsByDonAsync(family, _ct, pageSize: 2)).Count);
    }

    [Fact]
    public async Task Update_pause_activate_and_delete_change_the_listing_and_emit_their_events()
    {
        var family = await chain.NewFamilyAsync();
        var original = chain.NewRegistration(family);
        await chain.Workflows.UpsertWorkflowAsync(chain.Owner, original, _ct);

        var updated = original with { WorkflowId = Keccak256.Hash("updated-" + original.WorkflowName), Attributes = Encoding.UTF8.GetBytes(ConfidentialAttributes) };
        var updateEvent = Assert.Single(chain.Workflows.DecodeEvents(await chain.Workflows.UpsertWorkflowAsync(chain.Owner, updated, _ct)));
        Assert.Equal("WorkflowUpdated", updateEvent.Name);
        Assert.Equal(original.WorkflowId, updateEvent["oldWorkflowId"].AsBytes());
        Assert.Equal(updated.WorkflowId, updateEvent["newWorkflowId"].AsBytes());
        Assert.Equal(chain.Owner.Address, updateEvent["owner"].AsAddress());
        var afterUpdate = Assert.Single(await chain.Workflows.GetWorkflowListByDonAsync(family, 0, 10, _ct));
        Assert.Equal(updated.WorkflowId, afterUpdate.WorkflowId);
        Assert.Equal(ConfidentialAttributes, Encoding.UTF8.GetString(afterUpdate.Attributes));

        var paused = Assert.Single(chain.Workflows.DecodeEvents(await chain.Workflows.PauseWorkflowAsync(chain.Owner, updated.WorkflowId, _ct)));
        Assert.Equal("WorkflowPaused", paused.Name);
        Assert.Equal(WorkflowStatus.Paused, (await chain.Workflows.GetWorkflowByIdAsync(updated.WorkflowId, _ct)).Status);

        var activated = Assert.Single(chain.Workflows.DecodeEvents(await chain.Workflows.ActivateWorkflowAsync(chain.Owner, updated.WorkflowId, _ct)));
        Assert.Equal("WorkflowActivated", activated.Name);
        Assert.Equal(WorkflowStatus.Active, (await chain.Workflows.GetWorkflowByIdAsync(updated.WorkflowId, _ct)).Status);

        var deleted = Assert.Single(chain.Workflows.DecodeEvents(await chain.Workflows.DeleteWorkflowAsync(chain.Owner, updated.WorkflowId, _ct)));
        Assert.Equal("WorkflowDeleted", deleted.Name);
        Assert.Equal(family, deleted["donFamily"].AsString());
        Assert.Empty(await chain.Workflows.GetWorkflowListByDonAsync(family, 0, 10, _ct));
        var gone = await Assert.ThrowsAsync<ContractRevertException>(() => chain.Workflows.GetWorkflowByIdAsync(updated.WorkflowId, _ct));
        Assert.Equal($"WorkflowDoesNotExist(workflowId: {Hex.Encode0x(updated.WorkflowId)})", gone.Error?.ToString());
    }

    [Fact]
    public async Task Pausing_an_already_paused_workflow_is_refused()
    {
        var family = await chain.NewFamilyAsync();
        var registration = chain.NewRegistration(family) with { Status = WorkflowStatus.Paused };
        await chain.Workflows.UpsertWorkflowAsync(chain.Owner, registration, _ct);

        var ex = await Assert.ThrowsAsync<ContractRevertException>(() => chain.Workflows.PauseWorkflowAsync(chain.Owner, registration.WorkflowId, _ct));

        Assert.Equal($"WorkflowAlreadyInStatus(workflowId: {Hex.Encode0x(registration.WorkflowId)}, status: 1)", ex.Error?.ToString());
    }

    [Fact]
    public async Task KeepAlive_false_pauses_the_owners_other_active_tags_of_the_same_name()
    {
        var family = await chain.NewFamilyAsync();
        var v1 = chain.NewRegistration(family);
        await chain.Workflows.UpsertWorkflowAsync(chain.Owner, v1, _ct);
        var v2 = v1 with { Tag = "v2", WorkflowId = Keccak256.Hash("v2-" + v1.WorkflowName), KeepAlive = false };

        var events = chain.Workflows.DecodeEvents(await chain.Workflows.UpsertWorkflowAsync(chain.Owner, v2, _ct));

        Assert.Equal(["WorkflowPaused", "WorkflowRegistered"], events.Select(e => e.Name));
        Assert.Equal(WorkflowStatus.Paused, (await chain.Workflows.GetWorkflowByIdAsync(v1.WorkflowId, _ct)).Status);
        Assert.Equal(WorkflowStatus.Active, (await chain.Workflows.GetWorkflowByIdAsync(v2.WorkflowId, _ct)).Status);
    }

    [Fact]
    public async Task Only_the_workflow_owner_can_pause_it()
    {
        var family = await chain.NewFamilyAsync();
        var registration = chain.NewRegistration(family);
        await chain.Workflows.UpsertWorkflowAsync(chain.Owner, registration, _ct);

        var ex = await Assert.ThrowsAsync<ContractRevertException>(() => chain.Workflows.PauseWorkflowAsync(chain.Admin, registration.WorkflowId, _ct));

        Assert.Equal("CallerIsNotWorkflowOwner", ex.ErrorName);
    }

    [Fact]
    public async Task Unlinked_owner_is_refused()
    {
        var family = await chain.NewFamilyAsync();
        var unlinked = new EvmSigner(chain.Rpc, DevAccounts.Unlinked, chain.Deployed.ChainId);

        var ex = await Assert.ThrowsAsync<ContractRevertException>(() => chain.Workflows.UpsertWorkflowAsync(unlinked, chain.NewRegistration(family), _ct));

        Assert.Equal($"WorkflowRegistry.upsertWorkflow reverted: OwnershipLinkDoesNotExist(owner: {unlinked.Address})", ex.Message);
    }
}

[Collection(AnvilCollection.Name)]
public class WorkflowRegistrationHelperTests(AnvilChainFixture chain)
{
    [Fact]
    public async Task RegisterWorkflowAsync_signs_with_the_dev_workflow_owner_by_default()
    {
        var ct = AnvilChainFixture.Timeout();
        var family = await chain.NewFamilyAsync();
        var registration = chain.NewRegistration(family);

        var receipt = await WorkflowRegistry.RegisterWorkflowAsync(chain.Anvil.RpcUrl, chain.Deployed.WorkflowRegistry, registration, ct);

        Assert.True(receipt.Succeeded);
        Assert.Equal(DevAccounts.WorkflowOwner.Address, (await chain.Workflows.GetWorkflowByIdAsync(registration.WorkflowId, ct)).Owner);
    }
}

[Collection(AnvilCollection.Name)]
public class EvmSignerTests(AnvilChainFixture chain)
{
    [Fact]
    public async Task Signer_recovers_when_another_signer_of_the_same_account_used_its_cached_nonce()
    {
        var ct = AnvilChainFixture.Timeout();
        var family = await chain.NewFamilyAsync();
        var other = new EvmSigner(chain.Rpc, DevAccounts.WorkflowOwner, chain.Deployed.ChainId);
        await chain.Workflows.UpsertWorkflowAsync(chain.Owner, chain.NewRegistration(family), ct);
        await chain.Workflows.UpsertWorkflowAsync(other, chain.NewRegistration(family), ct);

        var receipt = await chain.Workflows.UpsertWorkflowAsync(chain.Owner, chain.NewRegistration(family), ct);

        Assert.True(receipt.Succeeded);
        Assert.Equal(3, (await chain.Workflows.GetWorkflowListByDonAsync(family, 0, 10, ct)).Count);
    }
}
