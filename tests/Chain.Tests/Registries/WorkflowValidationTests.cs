using CreAspire.Chain.Contracts;
using CreAspire.Chain.Crypto;
using CreAspire.Chain.Registries;

namespace CreAspire.Chain.Tests.Registries;

/// <summary>Each validation rule of upsertWorkflow, broken alone, produces its decoded custom error.</summary>
[Collection(AnvilCollection.Name)]
public class WorkflowValidationTests(AnvilChainFixture chain)
{
    private readonly CancellationToken _ct = AnvilChainFixture.Timeout();

    public static TheoryData<string, string> Rules => new()
    {
        { "empty name", "WorkflowNameRequired()" },
        { "65-byte name", "WorkflowNameTooLong(provided: 65, max: 64)" },
        { "empty tag", "WorkflowTagRequired()" },
        { "33-byte tag", "WorkflowTagTooLong(provided: 33, max: 32)" },
        { "zero workflow id", "InvalidWorkflowID()" },
        { "empty binary url", "BinaryURLRequired()" },
        { "201-byte binary url", "URLTooLong(provided: 201, max: 200)" },
        { "201-byte config url", "URLTooLong(provided: 201, max: 200)" },
        { "2048-byte attributes", "AttributesTooLong(provided: 2048, max: 1024)" },
        { "family without a limit", "DonLimitNotSet(donFamily: \"no-limit-family\")" },
    };

    [Theory]
    [MemberData(nameof(Rules))]
    public async Task Each_rule_reverts_with_its_custom_error(string rule, string expectedError)
    {
        var valid = chain.NewRegistration(await chain.NewFamilyAsync());
        var broken = rule switch
        {
            "empty name" => valid with { WorkflowName = "" },
            "65-byte name" => valid with { WorkflowName = new string('n', 65) },
            "empty tag" => valid with { Tag = "" },
            "33-byte tag" => valid with { Tag = new string('t', 33) },
            "zero workflow id" => valid with { WorkflowId = new byte[32] },
            "empty binary url" => valid with { BinaryUrl = "" },
            "201-byte binary url" => valid with { BinaryUrl = "http://x/" + new string('b', 192) },
            "201-byte config url" => valid with { ConfigUrl = "http://x/" + new string('c', 192) },
            "2048-byte attributes" => valid with { Attributes = new byte[2048] },
            "family without a limit" => valid with { DonFamily = "no-limit-family" },
            _ => throw new ArgumentOutOfRangeException(nameof(rule), rule, "unknown rule"),
        };

        var ex = await Assert.ThrowsAsync<ContractRevertException>(() => chain.Workflows.UpsertWorkflowAsync(chain.Owner, broken, _ct));

        Assert.Equal(expectedError, ex.Error?.ToString());
        Assert.Equal("WorkflowRegistry.upsertWorkflow reverted: " + expectedError, ex.Message);
    }

    [Fact]
    public async Task A_workflow_id_used_by_another_workflow_is_refused()
    {
        var family = await chain.NewFamilyAsync();
        var first = chain.NewRegistration(family);
        await chain.Workflows.UpsertWorkflowAsync(chain.Owner, first, _ct);

        var ex = await Assert.ThrowsAsync<ContractRevertException>(() =>
            chain.Workflows.UpsertWorkflowAsync(chain.Owner, chain.NewRegistration(family) with { WorkflowId = first.WorkflowId }, _ct));

        Assert.Equal($"DuplicateWorkflowID(workflowId: {Hex.Encode0x(first.WorkflowId)})", ex.Error?.ToString());
    }

    [Fact]
    public async Task Status_cannot_change_on_update()
    {
        var family = await chain.NewFamilyAsync();
        var registration = chain.NewRegistration(family);
        await chain.Workflows.UpsertWorkflowAsync(chain.Owner, registration, _ct);

        var ex = await Assert.ThrowsAsync<ContractRevertException>(() =>
            chain.Workflows.UpsertWorkflowAsync(chain.Owner, registration with { Status = WorkflowStatus.Paused, WorkflowId = Keccak256.Hash("other") }, _ct));

        Assert.Equal($"CannotChangeStatusOnUpdate(workflowId: {Hex.Encode0x(registration.WorkflowId)})", ex.Error?.ToString());
    }

    [Fact]
    public async Task DON_family_cannot_change_on_update()
    {
        var family = await chain.NewFamilyAsync();
        var otherFamily = await chain.NewFamilyAsync();
        var registration = chain.NewRegistration(family);
        await chain.Workflows.UpsertWorkflowAsync(chain.Owner, registration, _ct);

        var ex = await Assert.ThrowsAsync<ContractRevertException>(() =>
            chain.Workflows.UpsertWorkflowAsync(chain.Owner, registration with { DonFamily = otherFamily }, _ct));

        Assert.Equal($"CannotChangeDONFamilyOnUpdate(current: \"{family}\", provided: \"{otherFamily}\")", ex.Error?.ToString());
    }

    [Fact]
    public async Task Active_workflows_beyond_the_family_limit_are_refused()
    {
        var family = await chain.NewFamilyAsync(limit: 1);
        await chain.Workflows.UpsertWorkflowAsync(chain.Owner, chain.NewRegistration(family), _ct);

        var ex = await Assert.ThrowsAsync<ContractRevertException>(() =>
            chain.Workflows.UpsertWorkflowAsync(chain.Owner, chain.NewRegistration(family), _ct));

        Assert.Equal($"MaxWorkflowsPerDONExceeded(donFamily: \"{family}\", limit: 1)", ex.Error?.ToString());
    }

    [Fact]
    public async Task A_mined_failing_transaction_is_decoded_by_replaying_it()
    {
        // With an explicit gas limit nothing is estimated: the transaction is mined with status 0 and the signer
        // replays it to recover the reason.
        var broken = chain.NewRegistration(await chain.NewFamilyAsync()) with { Attributes = new byte[2048] };
        var request = chain.Workflows.Request("upsertWorkflow", 1_000_000, WorkflowRegistry.UpsertArguments(broken));

        var pending = await chain.Owner.SubmitAsync(request, _ct);
        var ex = await Assert.ThrowsAsync<ContractRevertException>(() => chain.Owner.WaitAsync(pending, _ct));

        Assert.Equal("AttributesTooLong(provided: 2048, max: 1024)", ex.Error?.ToString());
    }
}
