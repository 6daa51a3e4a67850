using System.Net;
using System.Net.Sockets;

namespace CreAspire.Hosting.Run;

/// <summary>
/// Free loopback ports, chosen before the server that will listen on them starts. Every CreAspire endpoint has its port
/// chosen here (not by DCP): a target port DCP allocates is still a placeholder when the first health check runs.
/// </summary>
/// <remarks>
/// Ports are taken from <em>below</em> the kernel's ephemeral range (<c>/proc/sys/net/ipv4/ip_local_port_range</c>,
/// 32768-60999 by default). A port the kernel hands out for <c>bind(0)</c> comes from that range, and so does the local
/// port of every outgoing connection on the machine: between choosing such a port and binding it, any client connection
/// (a parallel test run opens thousands) may take it, and the bind fails with "address already in use" — seen in CI.
/// Below the range only another listener can take a port, so each candidate is probed by binding it, and ports handed out
/// once are never handed out again by this process.
/// <para>
/// Nor by another process: a port is chosen well before its server binds it (the AppHost chooses every port of the
/// topology while it builds the model, and the last node listens ~30 s later), and two AppHosts or test runs starting
/// side by side chose the same free port about one time in fifteen (30 ports each out of ~12,800), so the later server
/// failed with "address already in use" (seen when two test assemblies started topologies at once). Each port handed
/// out is therefore reserved in <see cref="ReservationFolder"/> (a file named by the port, holding the owner's pid, made
/// under a machine-wide named mutex); a reservation counts while its owner lives, and a dead owner's is
/// taken over.
/// </para>
/// </remarks>
public static class FreePorts
{
    private const int LowestPort = 20000;
    private static readonly HashSet<int> Handed = [];
    private static readonly (int Low, int High) Range = ChooseRange();

    /// <summary>Where ports handed out by any CreAspire process on this machine are reserved.</summary>
    public static string ReservationFolder { get; } = Path.Combine(Path.GetTempPath(), "creaspire", "ports");

    public static int Next()
    {
        lock (Handed)
        {
            for (var attempt = 0; attempt < 1000; attempt++)
            {
                var port = Random.Shared.Next(Range.Low, Range.High);
                if (!Handed.Contains(port) && IsFree(port) && TryReserve(ReservationFolder, port, Environment.ProcessId))
                {
                    Handed.Add(port);
                    return port;
                }
            }

            throw new InvalidOperationException($"No free loopback port found between {Range.Low} and {Range.High} after 1000 tries.");
        }
    }

    /// <summary>
    /// Reserves <paramref name="port"/> for process <paramref name="pid"/> in <paramref name="folder"/>: false when a live
    /// process other than <paramref name="pid"/> holds it. A folder that cannot be written reserves nothing and refuses
    /// nothing (the bind probe still applies).
    /// </summary>
    internal static bool TryReserve(string folder, int port, int pid)
    {
        try
        {
            Directory.CreateDirectory(folder);
            using var reservations = LockReservations();
            try
            {
                var path = Path.Combine(folder, port.ToString(System.Globalization.CultureInfo.InvariantCulture));
                if (File.Exists(path) && OwnerOf(path) is { } owner && owner != pid && OwnerProcess.IsAlive(owner))
                {
                    return false;
                }

                File.WriteAllText(path, pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
                return true;
            }
            finally
            {
                reservations.ReleaseMutex();
            }
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
        {
            return true;
        }
    }

    /// <summary>
    /// Held while a reservation is checked and written: a machine-wide named mutex (.NET shares "Global\\" names across
    /// processes and sessions on Unix too), waited for at most 5 s; a holder that died with it is treated as released.
    /// </summary>
    private static Mutex LockReservations()
    {
        var mutex = new Mutex(initiallyOwned: false, @"Global\creaspire-port-reservations");
        try
        {
            if (!mutex.WaitOne(TimeSpan.FromSeconds(5)))
            {
                throw new IOException("Another CreAspire process held the port reservations for more than 5 s.");
            }
        }
        catch (AbandonedMutexException)
        {
            // We own it now; the reservation files it guarded are whole (each is one small write).
        }
        catch
        {
            mutex.Dispose();
            throw;
        }

        return mutex;
    }

    private static int? OwnerOf(string path) =>
        int.TryParse(File.ReadAllText(path).Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var pid) ? pid : null;

    /// <summary>Whether nothing listens on 127.0.0.1:<paramref name="port"/> right now.</summary>
    public static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static (int Low, int High) ChooseRange()
    {
        var ephemeralLow = 32768;
        try
        {
            var text = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
            if (text.Length >= 1 && int.TryParse(text[0], out var low))
            {
                ephemeralLow = low;
            }
        }
        catch (IOException)
        {
            // Not Linux: keep the IANA default.
        }
        catch (UnauthorizedAccessException)
        {
        }

        // A machine whose ephemeral range starts low leaves no room below it: use the ports above it instead.
        return ephemeralLow - LowestPort >= 2000 ? (LowestPort, ephemeralLow) : (61000, 65535);
    }
}
