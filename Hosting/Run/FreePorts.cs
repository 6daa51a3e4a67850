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
/// </remarks>
public static class FreePorts
{
    private const int LowestPort = 20000;
    private static readonly HashSet<int> Handed = [];
    private static readonly (int Low, int High) Range = ChooseRange();

    public static int Next()
    {
        lock (Handed)
        {
            for (var attempt = 0; attempt < 1000; attempt++)
            {
                var port = Random.Shared.Next(Range.Low, Range.High);
                if (!Handed.Contains(port) && IsFree(port))
                {
                    Handed.Add(port);
                    return port;
                }
            }

            throw new InvalidOperationException($"No free loopback port found between {Range.Low} and {Range.High} after 1000 tries.");
        }
    }

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
