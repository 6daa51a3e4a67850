using System.Runtime.CompilerServices;
using Microsoft.Extensions.Hosting;

namespace CreAspire.WorkflowNode.Tests;

/// <summary>
/// ServiceDefaults' JitProfile: a process records the methods it JIT-compiles and puts the profile in place when it stops;
/// an unreadable profile from an earlier run is not an error. (The runtime allows one profile root per process, so this
/// is one test.)
/// </summary>
public sealed class JitProfileTests
{
    [Fact]
    public void A_run_replaces_an_unreadable_profile_with_its_own_and_leaves_no_work_folder()
    {
        var folder = Directory.CreateTempSubdirectory("creaspire-jit-profile-").FullName;
        try
        {
            var target = Path.Combine(folder, "jit-profiles", "wf-0.jitprofile");
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            var garbage = "not a multicore JIT profile"u8.ToArray();
            File.WriteAllBytes(target, garbage);

            var profile = JitProfile.Start(target);
            Assert.NotNull(profile);
            Assert.Equal(target, profile.Target);
            Assert.Equal(42, CompiledNow(new Probe(42))); // a generic instantiation first compiled while recording
            profile.Stop();
            profile.Stop(); // once only

            var written = File.ReadAllBytes(target);
            Assert.NotEmpty(written);
            Assert.NotEqual(garbage, written);
            Assert.Equal([target], Directory.GetFileSystemEntries(Path.GetDirectoryName(target)!));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private readonly record struct Probe(int Value);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int CompiledNow<T>(T value) where T : struct => value.GetHashCode() == 0 ? 0 : ((Probe)(object)value).Value;
}
