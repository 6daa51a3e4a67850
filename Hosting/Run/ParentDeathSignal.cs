using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;

namespace CreAspire.Hosting.Run;

/// <summary>
/// Ties each executable resource to the DCP process that starts it, in place of DCP's per-executable
/// <c>dcp monitor-process</c>. DCP runs one such monitor beside every executable so that the executable is killed if DCP
/// itself dies abruptly; with 17 executables in the default topology they cost 373 MiB Pss at idle (22 MiB each, mostly the
/// Go runtime's heap and its relocated read-only data), a fifth of the whole topology (bench/Startup, 2026-12-03: idle Pss
/// 1,716 -> 1,400 MiB without them). Instead the executable starts through util-linux's <c>setpriv --pdeathsig</c>, which
/// execs it with the kernel's parent-death signal set: when DCP's controller process dies, even by SIGKILL, the kernel sends
/// the executable that signal. Everything else (DCP's own stop on Ctrl+C, SIGTERM, or when the AppHost is gone) is unchanged.
/// Where setpriv is not on PATH (not Linux), nothing is wrapped and DCP keeps its monitors.
/// </summary>
public static class ParentDeathSignal
{
    /// <summary>The environment variable DCP reads to start no <c>monitor-process</c> beside executables.</summary>
    public const string DisableDcpMonitorsVariable = "DCP_DISABLE_MONITOR_PROCESS";

    private static readonly Lazy<string?> Setpriv = new(() => FindOnPath("setpriv"));

    /// <summary>Whether executables can be wrapped here (Linux with setpriv on PATH).</summary>
    public static bool IsAvailable => Setpriv.Value is not null;

    /// <summary>setpriv's arguments that set <paramref name="signal"/> as the parent-death signal, before the command to exec.</summary>
    public static string[] SetprivArguments(string signal) => ["--pdeathsig", signal];

    /// <summary>
    /// The signal the resource's program takes as "stop now" when DCP dies (default SIGTERM, for the .NET services, Anvil and
    /// the dashboard; SIGINT, fast shutdown, for Postgres). <paramref name="alreadyWrapped"/>: its command line already sets it
    /// (Postgres as root, whose setpriv also drops privileges).
    /// </summary>
    public static IResourceBuilder<T> WithParentDeathSignal<T>(this IResourceBuilder<T> builder, string signal, bool alreadyWrapped = false)
        where T : ExecutableResource
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(signal);
        return builder.WithAnnotation(new ParentDeathSignalAnnotation(signal, alreadyWrapped), ResourceAnnotationMutationBehavior.Replace);
    }

    /// <summary>
    /// Run mode, where setpriv is available: every executable of the model (the dashboard Aspire adds included) is started as <c>setpriv --pdeathsig &lt;signal&gt; -- &lt;its command&gt; &lt;its arguments&gt;</c>, and DCP
    /// (which inherits this process's environment) is told to start no monitor processes.
    /// </summary>
    public static void UseParentDeathSignals(IDistributedApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (!IsAvailable || !builder.ExecutionContext.IsRunMode)
        {
            return;
        }

        Environment.SetEnvironmentVariable(DisableDcpMonitorsVariable, "true");
        // Per resource, just before DCP is asked to start it: the dashboard is added to the model by Aspire's own BeforeStartEvent
        // handler, after this one would run.
        builder.Eventing.Subscribe<BeforeResourceStartedEvent>((e, _) =>
        {
            if (e.Resource is ExecutableResource executable)
            {
                Wrap(executable);
            }

            return Task.CompletedTask;
        });
    }

    /// <summary>Rewrites <paramref name="executable"/>'s command line to start through setpriv (once; a no-op when already done).</summary>
    internal static void Wrap(ExecutableResource executable)
    {
        var marker = executable.Annotations.OfType<ParentDeathSignalAnnotation>().LastOrDefault() ?? new ParentDeathSignalAnnotation("TERM", AlreadyWrapped: false);
        if (marker.AlreadyWrapped || !executable.TryGetLastAnnotation<ExecutableAnnotation>(out var command))
        {
            return;
        }

        var program = command.Command;
        command.Command = Setpriv.Value!;
        executable.Annotations.Remove(marker);
        executable.Annotations.Add(marker with { AlreadyWrapped = true });
        executable.Annotations.Add(new CommandLineArgsCallbackAnnotation((CommandLineArgsCallbackContext context) =>
        {
            string[] prefix = [.. SetprivArguments(marker.Signal), "--", program];
            for (var i = 0; i < prefix.Length; i++)
            {
                context.Args.Insert(i, prefix[i]);
            }

            return Task.CompletedTask;
        }));
    }

    private static string? FindOnPath(string program)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        return (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, program))
            .FirstOrDefault(File.Exists);
    }
}

/// <summary>The parent-death signal of an executable resource, and whether its command line already sets it.</summary>
public sealed record ParentDeathSignalAnnotation(string Signal, bool AlreadyWrapped) : IResourceAnnotation;
