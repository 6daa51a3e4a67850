using System.Diagnostics;
using CreAspire.NativeTools;

namespace CreAspire.Chain.Tests.Contracts;

public class GeneratedServicesTests
{
    /// <summary>The checked-in services are what generate-services.js makes from the pinned package's ABI JSON.</summary>
    [Theory]
    [InlineData("WorkflowRegistry")]
    [InlineData("CapabilitiesRegistry")]
    public async Task Checked_in_service_matches_the_generator_output_for_the_pinned_package(string contract)
    {
        var root = NativeToolPaths.RepositoryRoot;
        var output = Directory.CreateTempSubdirectory("creaspire-generated-").FullName;
        try
        {
            var info = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var argument in new[] { Path.Combine(root, "Chain", "contracts", "generate-services.js"), NativeToolPaths.NodeModules, output })
            {
                info.ArgumentList.Add(argument);
            }

            using var process = Process.Start(info)!;
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);
            Assert.True(process.ExitCode == 0, await stderr);

            var file = Path.Combine(contract, contract + "Service.cs");
            Assert.True(
                File.ReadAllText(Path.Combine(output, file)) == File.ReadAllText(Path.Combine(root, "Chain", "Contracts", file)),
                $"Chain/Contracts/{file} is not what Chain/contracts/generate-services.js makes from the installed @chainlink/contracts; run it again (see its header).");
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }
}
