using System.Diagnostics;
using System.Text;
using System.Text.Json;
using CreAspire.Chain.Contracts;
using CreAspire.Chain.Registries;
using CreAspire.NativeTools;

namespace CreAspire.Chain.Tests.Registries;

/// <summary>
/// The contract is the public interface: a workflow registered with Foundry's cast, from nothing but the ABI JSON that
/// @chainlink/contracts publishes, is what the syncer's reader lists.
/// </summary>
[Collection(AnvilCollection.Name)]
public class RawAbiRegistrationTests(AnvilChainFixture chain)
{
    private readonly CancellationToken _ct = AnvilChainFixture.Timeout();

    [Fact]
    public async Task A_workflow_upserted_by_cast_from_the_published_ABI_is_listed_by_the_syncers_reader()
    {
        var family = await chain.NewFamilyAsync();
        var upsert = Signature("WorkflowRegistry", "upsertWorkflow");
        var id = AnvilChainFixture.Id("cast-" + family);
        var attributes = """{"confidential":true}""";

        await CastAsync("send", "--rpc-url", chain.Anvil.RpcUrl, "--private-key", DevAccounts.WorkflowOwnerPrivateKey, chain.Deployed.WorkflowRegistry, upsert,
            "cast-workflow", "v1", "0x" + Convert.ToHexStringLower(id), "0", family, "http://127.0.0.1:9000/cast.wasm", "http://127.0.0.1:9000/cast.config",
            "0x" + Convert.ToHexStringLower(Encoding.UTF8.GetBytes(attributes)), "true");
        var typeAndVersion = await CastAsync("call", "--rpc-url", chain.Anvil.RpcUrl, chain.Deployed.WorkflowRegistry, Signature("WorkflowRegistry", "typeAndVersion") + "(string)");

        IWorkflowRegistryReader reader = chain.Workflows;
        var listed = Assert.Single(await reader.GetWorkflowListByDonAsync(family, 0, 10, _ct));
        Assert.Equal(id, listed.WorkflowId);
        Assert.Equal(chain.Deployed.WorkflowOwner, listed.Owner);
        Assert.Equal("cast-workflow", listed.WorkflowName);
        Assert.Equal(attributes, Encoding.UTF8.GetString(listed.Attributes));
        Assert.Equal("\"WorkflowRegistry 2.0.0-dev\"", typeAndVersion.Trim());
    }

    /// <summary>"name(type,...)" of a function, read from the package's published abi/v0.8/workflow/dev/v2/&lt;contract&gt;.abi.json.</summary>
    private static string Signature(string contract, string function)
    {
        var path = Path.Combine(NativeToolPaths.NodeModules, "@chainlink", "contracts", "abi", "v0.8", "workflow", "dev", "v2", contract + ".abi.json");
        using var abi = JsonDocument.Parse(File.ReadAllText(path));
        var entry = abi.RootElement.EnumerateArray().Single(e => e.GetProperty("type").GetString() == "function" && e.GetProperty("name").GetString() == function);
        return $"{function}({string.Join(",", entry.GetProperty("inputs").EnumerateArray().Select(TypeOf))})";
    }

    private static string TypeOf(JsonElement parameter)
    {
        var type = parameter.GetProperty("type").GetString()!;
        return type.StartsWith("tuple", StringComparison.Ordinal)
            ? $"({string.Join(",", parameter.GetProperty("components").EnumerateArray().Select(TypeOf))}){type[5..]}"
            : type;
    }

    private async Task<string> CastAsync(params string[] arguments)
    {
        var info = new ProcessStartInfo(NativeToolPaths.Cast) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["FOUNDRY_DISABLE_NIGHTLY_WARNING"] = "1";
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync(_ct);
        var stderr = process.StandardError.ReadToEndAsync(_ct);
        try
        {
            await process.WaitForExitAsync(_ct);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        Assert.True(process.ExitCode == 0, $"cast {string.Join(' ', arguments.Take(1))} failed: {await stderr}");
        return await stdout;
    }
}
