using System.Text;
using CreAspire.Execution.Contracts;
using CreAspire.Fuzzing;
using CreAspire.Protocol.Capabilities;
using CreAspire.Protocol.Sdk;
using CreAspire.WorkflowNode.Routing;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace CreAspire.WorkflowNode.Tests;

/// <summary>
/// Workflow attributes come from the chain (upsertWorkflow), so anyone can register anything. Every mutant must parse or
/// be refused with <see cref="WorkflowAttributesException"/> ("failed to parse workflow attributes: ..."), and whatever
/// parses must build the confidential request without an exception: no engine may start that fails on every run.
/// </summary>
public sealed class WorkflowAttributesFuzzTests(ITestOutputHelper output)
{
    private const string Valid = """{"confidential":true,"vault_don_secrets":[{"key":"MOCK_SECRET"},{"key":"OTHER","namespace":"team"}],"enclave":"nitro"}""";

    [Fact]
    public void Mutated_attributes_parse_into_a_usable_workflow_or_are_refused_naming_the_problem()
    {
        var inputs = JsonMutations.Systematic(Valid)
            .Concat(JsonMutations.Random(Valid, 3000, seed: 1819))
            .Concat(Mutations.Random(Encoding.UTF8.GetBytes(Valid), 1000, seed: 1820))
            .Concat(Mutations.Truncations(Encoding.UTF8.GetBytes(Valid)))
            .Concat(Mutations.Noise(500, 200, seed: 1821));

        var tally = FuzzTally.Run("workflow attributes", inputs, input =>
        {
            WorkflowAttributes attributes;
            try
            {
                attributes = WorkflowAttributes.Parse(input.Bytes);
            }
            catch (WorkflowAttributesException ex)
            {
                return ex.Message.StartsWith("failed to parse workflow attributes: ", StringComparison.Ordinal)
                    ? FuzzResult.Refused(ex.Message.Contains("vault_don_secrets[", StringComparison.Ordinal) ? "secret entry" : "malformed", ex.Message)
                    : FuzzResult.Wrong($"refused without the original's prefix: {ex.Message}");
            }
#pragma warning disable CA1031 // any other exception is a finding
            catch (Exception ex)
#pragma warning restore CA1031
            {
                return FuzzResult.Escaped(ex);
            }

            return UsableByConfidentialModule(attributes);
        }, parallel: true);

        tally.Report(output).AssertClean();
        Assert.True(tally.Accepted > 100);
        Assert.True(tally.Refusals.ContainsKey("secret entry"));
        Assert.True(WorkflowAttributes.Parse(Encoding.UTF8.GetBytes(Valid)).Confidential);
    }

    /// <summary>What the engine does with parsed attributes on every run: build the capability call for the enclave.</summary>
    private static FuzzResult UsableByConfidentialModule(WorkflowAttributes attributes)
    {
        try
        {
            var descriptor = new ConfidentialWorkflowDescriptor("00ab", new string('2', 40), "wf", "v1", "https://artifacts.local/wf.b64", new byte[32], attributes.VaultDonSecrets);
            var module = new ConfidentialModule(descriptor, new CapabilityRegistry());
            var context = new ModuleExecutionContext("exec-1", new CapabilityRequestMetadata(), NoCapabilities.Instance, NoCapabilities.Instance, NullLogger.Instance);
            module.BuildCall(new ExecuteRequest(), context);
            return FuzzResult.Accepted;
        }
#pragma warning disable CA1031 // an exception here is the defect: an engine that throws on every execution
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return FuzzResult.Wrong($"parsed, but building the confidential request throws {ex.GetType().Name}: {ex.Message}");
        }
    }
}
