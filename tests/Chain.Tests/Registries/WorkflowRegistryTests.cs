using System.Numerics;
using System.Text;
using CreAspire.Chain.Contracts;
using CreAspire.Chain.Contracts.WorkflowRegistry;
using CreAspire.Chain.Registries;
using Nethereum.Contracts;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.Signer;
using Nethereum.Util;

namespace CreAspire.Chain.Tests.Registries;

[Collection(AnvilCollection.Name)]
public class WorkflowRegistryTests(AnvilChainFixture chain)
{
    private const string ConfidentialAttributes = """{"confidential":true,"vault_don_secrets":[{"key":"MOCK_SECRET"}]}""";
    private readonly CancellationToken _ct = AnvilChainFixture.Timeout();

    [Fact]
    public async Task Confidential_workflow_reads_back_every_field_through_getWorkflowListByDON()
    {
        var family = await chain.NewFamilyAsync();
        var registration = chain.NewRegistration(family, ConfidentialAttributes);

        var receipt = await chain.Owner.UpsertWorkflowAsync(registration, _ct);

        var workflow = Assert.Single(await chain.Workflows.GetWorkflowListByDonAsync(family, 0, 10, _ct));
        Assert.Equal(registration.WorkflowId, workflow.WorkflowId);
        Assert.Equal(chain.Owner.Sender, workflow.Owner);
        Assert.Equal(WorkflowStatus.Active, workflow.Status);
        Assert.Equal(registration.WorkflowName, workflow.WorkflowName);
        Assert.Equal(registration.BinaryUrl, workflow.BinaryUrl);
        Assert.Equal(registration.ConfigUrl, workflow.ConfigUrl);
        Assert.Equal("v1", workflow.Tag);
        Assert.Equal(ConfidentialAttributes, Encoding.UTF8.GetString(workflow.Attributes));
        Assert.Equal(family, workflow.DonFamily);
        var block = await chain.Web3.Eth.Blocks.GetBlockWithTransactionsHashesByNumber.SendRequestAsync(receipt.BlockNumber);
        Assert.Equal((ulong)block.Timestamp.Value, workflow.CreatedAt);
    }

    [Fact]
    public async Task Registration_emits_WorkflowRegistered_with_the_reference_parameters()
    {
        var family = await chain.NewFamilyAsync();
        var registration = chain.NewRegistration(family);

        var receipt = await chain.Owner.UpsertWorkflowAsync(registration, _ct);

        var registered = Assert.Single(receipt.DecodeAllEvents<WorkflowRegisteredEventDTO>()).Event;
        Assert.Equal(registration.WorkflowId, registered.WorkflowId);
        Assert.Equal(chain.Owner.Sender, registered.Owner.ToLowerInvariant());
        Assert.Equal(family, registered.DonFamily);
        Assert.Equal((byte)0, registered.Status);
        Assert.Equal(registration.WorkflowName, registered.WorkflowName);

        // bytes32 topic filters must be given as object[]; a byte[] would silently match nothing.
        var events = chain.Web3.Eth.GetEvent<WorkflowRegisteredEventDTO>(chain.Deployed.WorkflowRegistry);
        var logs = await events.GetAllChangesAsync(events.CreateFilterInput(new object[] { registration.WorkflowId }));
        Assert.Equal(registration.WorkflowName, Assert.Single(logs).Event.WorkflowName);
    }

    [Fact]
    public async Task Listing_pages_through_all_workflows_of_a_family()
    {
        var family = await chain.NewFamilyAsync();
        var registered = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var registration = chain.NewRegistration(family);
            await chain.Owner.UpsertWorkflowAsync(registration, _ct);
            registered.Add(Convert.ToHexStringLower(registration.WorkflowId));
        }

        var pages = new List<IReadOnlyList<WorkflowMetadata>>();
        for (ulong start = 0; start <= 6; start += 2)
        {
            pages.Add(await chain.Workflows.GetWorkflowListByDonAsync(family, start, 2, _ct));
        }

        Assert.Equal([2, 2, 1, 0], pages.Select(p => p.Count));
        Assert.Equal(registered.Order(StringComparer.Ordinal), pages.SelectMany(p => p).Select(w => Convert.ToHexStringLower(w.WorkflowId)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Update_pause_activate_and_delete_change_the_listing_and_emit_their_events()
    {
        var family = await chain.NewFamilyAsync();
        var original = chain.NewRegistration(family);
        await chain.Owner.UpsertWorkflowAsync(original, _ct);

        var updated = original with { WorkflowId = AnvilChainFixture.Id("updated-" + original.WorkflowName), Attributes = Encoding.UTF8.GetBytes(ConfidentialAttributes) };
        var update = Assert.Single((await chain.Owner.UpsertWorkflowAsync(updated, _ct)).DecodeAllEvents<WorkflowUpdatedEventDTO>()).Event;
        Assert.Equal(original.WorkflowId, update.OldWorkflowId);
        Assert.Equal(updated.WorkflowId, update.NewWorkflowId);
        var afterUpdate = Assert.Single(await chain.Workflows.GetWorkflowListByDonAsync(family, 0, 10, _ct));
        Assert.Equal(updated.WorkflowId, afterUpdate.WorkflowId);
        Assert.Equal(ConfidentialAttributes, Encoding.UTF8.GetString(afterUpdate.Attributes));

        Assert.Single((await chain.Owner.PauseWorkflowAsync(updated.WorkflowId, _ct)).DecodeAllEvents<WorkflowPausedEventDTO>());
        Assert.Equal(WorkflowStatus.Paused, (await chain.Workflows.GetWorkflowByIdAsync(updated.WorkflowId, _ct)).Status);

        Assert.Single((await chain.Owner.ActivateWorkflowAsync(updated.WorkflowId, family, _ct)).DecodeAllEvents<WorkflowActivatedEventDTO>());
        Assert.Equal(WorkflowStatus.Active, (await chain.Workflows.GetWorkflowByIdAsync(updated.WorkflowId, _ct)).Status);

        var deleted = Assert.Single((await chain.Owner.DeleteWorkflowAsync(updated.WorkflowId, _ct)).DecodeAllEvents<WorkflowDeletedEventDTO>()).Event;
        Assert.Equal(family, deleted.DonFamily);
        Assert.Empty(await chain.Workflows.GetWorkflowListByDonAsync(family, 0, 10, _ct));
        Assert.Equal("", (await chain.Workflows.GetWorkflowByIdAsync(updated.WorkflowId, _ct)).WorkflowName); // an empty view, not a revert
    }

    [Fact]
    public async Task An_unlinked_owner_is_refused_in_a_sentence_naming_the_error_and_its_argument()
    {
        var family = await chain.NewFamilyAsync();
        var unlinked = chain.Writer(DevAccounts.Unlinked);

        var ex = await Assert.ThrowsAsync<ContractRevertException>(() => unlinked.UpsertWorkflowAsync(chain.NewRegistration(family), _ct));

        Assert.Equal($"WorkflowRegistry.upsertWorkflow reverted with OwnershipLinkDoesNotExist(owner: {AddressUtil.Current.ConvertToChecksumAddress(unlinked.Sender)})", ex.Message);
        Assert.Equal("OwnershipLinkDoesNotExist", ex.ErrorName);
    }

    [Fact]
    public async Task A_workflow_id_is_taken_once()
    {
        var family = await chain.NewFamilyAsync();
        var first = chain.NewRegistration(family);
        await chain.Owner.UpsertWorkflowAsync(first, _ct);

        var ex = await Assert.ThrowsAsync<ContractRevertException>(() => chain.Owner.UpsertWorkflowAsync(chain.NewRegistration(family) with { WorkflowId = first.WorkflowId }, _ct));

        Assert.Equal($"WorkflowRegistry.upsertWorkflow reverted with WorkflowIDAlreadyExists(workflowId: 0x{Convert.ToHexStringLower(first.WorkflowId)})", ex.Message);
    }

    [Theory]
    [InlineData("name", "WorkflowNameTooLong(provided: 65, maxAllowed: 64)")]
    [InlineData("tag", "WorkflowTagTooLong(provided: 33, maxAllowed: 32)")]
    [InlineData("binary", "BinaryURLRequired()")]
    [InlineData("family", "DonLimitNotSet(donFamily: \"no-limit-family\")")]
    public async Task Each_rule_reverts_with_its_custom_error(string rule, string expected)
    {
        var family = await chain.NewFamilyAsync();
        var registration = chain.NewRegistration(family);
        registration = rule switch
        {
            "name" => registration with { WorkflowName = new string('n', 65) },
            "tag" => registration with { Tag = new string('t', 33) },
            "binary" => registration with { BinaryUrl = "" },
            _ => registration with { DonFamily = "no-limit-family" },
        };

        var ex = await Assert.ThrowsAsync<ContractRevertException>(() => chain.Owner.UpsertWorkflowAsync(registration, _ct));

        Assert.Equal("WorkflowRegistry.upsertWorkflow reverted with " + expected, ex.Message);
    }

    [Fact]
    public async Task A_mined_failing_transaction_is_decoded_by_replaying_it()
    {
        var unlinked = chain.Writer(DevAccounts.Unlinked);
        var function = WorkflowRegistryWriter.ToFunction(chain.NewRegistration(await chain.NewFamilyAsync()));
        function.Gas = 500_000; // no estimate: the transaction is mined and fails

        var hash = await unlinked.Service.UpsertWorkflowRequestAsync(function);
        var receipt = await ChainClients.WaitForReceiptAsync(unlinked.Web3, hash, TimeSpan.FromSeconds(30), _ct);
        var ex = await Assert.ThrowsAsync<ContractRevertException>(() =>
            ContractErrors.EnsureSucceededAsync(unlinked.Web3, receipt, "WorkflowRegistry.upsertWorkflow", WorkflowRegistryService.ErrorTypes));

        Assert.False(receipt.Succeeded());
        Assert.Equal("OwnershipLinkDoesNotExist", ex.ErrorName);
    }

    [Fact]
    public async Task Only_the_registry_owner_sets_DON_limits()
    {
        var ex = await Assert.ThrowsAsync<ContractRevertException>(() => chain.Owner.SetDonLimitAsync("zone-b", 5, true, _ct));

        Assert.Equal("WorkflowRegistry.setDONLimit reverted with OnlyCallableByOwner()", ex.Message);
    }

    [Fact]
    public async Task RegisterWorkflowAsync_signs_with_the_dev_workflow_owner_by_default()
    {
        var registration = chain.NewRegistration(await chain.NewFamilyAsync());

        var receipt = await WorkflowRegistryWriter.RegisterWorkflowAsync(chain.Anvil.RpcUrl, chain.Deployed.WorkflowRegistry, registration, _ct);

        Assert.True(receipt.Succeeded());
        Assert.Equal(chain.Deployed.WorkflowOwner, (await chain.Workflows.GetWorkflowByIdAsync(registration.WorkflowId, _ct)).Owner);
    }

    [Fact]
    public async Task Two_writers_of_one_account_do_not_trip_over_each_others_nonces()
    {
        var family = await chain.NewFamilyAsync();
        var other = chain.Writer(DevAccounts.WorkflowOwner);
        await chain.Owner.UpsertWorkflowAsync(chain.NewRegistration(family), _ct);
        await other.UpsertWorkflowAsync(chain.NewRegistration(family), _ct);

        await chain.Owner.UpsertWorkflowAsync(chain.NewRegistration(family), _ct);

        Assert.Equal(3, (await chain.Workflows.GetWorkflowListByDonAsync(family, 0, 10, _ct)).Count);
    }
}

[Collection(AnvilCollection.Name)]
public class OwnerLinkingTests(AnvilChainFixture chain)
{
    // Anvil dev accounts #3 and #4 (publicly documented keys), used only here.
    private static readonly EthECKey Account3 = new("0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6");
    private static readonly EthECKey Account4 = new("0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a");
    private readonly CancellationToken _ct = AnvilChainFixture.Timeout();

    [Fact]
    public async Task Owner_linked_with_an_allowed_signers_proof_over_the_real_typeAndVersion_can_register_once()
    {
        var owner = chain.Writer(Account3);
        var proof = Proof(DevAccounts.Deployer, owner.Sender, DateTimeOffset.UtcNow.AddMinutes(10));

        var linked = Assert.Single((await owner.LinkOwnerAsync(proof, _ct)).DecodeAllEvents<OwnershipLinkUpdatedEventDTO>()).Event;
        await owner.UpsertWorkflowAsync(chain.NewRegistration(await chain.NewFamilyAsync()), _ct);

        Assert.Equal(owner.Sender, linked.Owner.ToLowerInvariant());
        Assert.True(linked.Added);
        var again = await Assert.ThrowsAsync<ContractRevertException>(() => owner.LinkOwnerAsync(proof, _ct));
        Assert.Equal("OwnershipLinkAlreadyExists", again.ErrorName);
    }

    [Fact]
    public async Task A_proof_over_another_typeAndVersion_or_by_a_signer_that_is_not_allowed_is_refused()
    {
        var owner = chain.Writer(Account4);
        var validUntil = DateTimeOffset.UtcNow.AddMinutes(10);
        var wrongVersion = WorkflowRegistryWriter.CreateLinkProof(DevAccounts.Deployer, owner.Sender, chain.Deployed.ChainId, chain.Deployed.WorkflowRegistry, validUntil,
            typeAndVersion: "WorkflowRegistry 2.0.0");

        var ex = await Assert.ThrowsAsync<ContractRevertException>(() => owner.LinkOwnerAsync(wrongVersion, _ct));
        var notAllowed = await Assert.ThrowsAsync<ContractRevertException>(() => owner.LinkOwnerAsync(Proof(Account4, owner.Sender, validUntil), _ct));

        Assert.Equal("InvalidOwnershipLink", ex.ErrorName);
        Assert.Equal("InvalidOwnershipLink", notAllowed.ErrorName);
        Assert.Equal(new BigInteger(wrongVersion.ValidityTimestamp), ex.Argument("validityTimestamp"));
    }

    [Fact]
    public async Task Expired_link_request_is_refused()
    {
        var owner = chain.Writer(Account4);

        var ex = await Assert.ThrowsAsync<ContractRevertException>(() => owner.LinkOwnerAsync(Proof(DevAccounts.Deployer, owner.Sender, DateTimeOffset.UtcNow.AddHours(-1)), _ct));

        Assert.Equal("LinkOwnerRequestExpired", ex.ErrorName);
    }

    private OwnerLinkProof Proof(EthECKey signer, string owner, DateTimeOffset validUntil) =>
        WorkflowRegistryWriter.CreateLinkProof(signer, owner, chain.Deployed.ChainId, chain.Deployed.WorkflowRegistry, validUntil);
}
