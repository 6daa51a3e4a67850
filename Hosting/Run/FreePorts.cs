using System.Net;
using System.Net.Sockets;

namespace CreAspire.Hosting.Run;

/// <summary>
/// Free loopback ports, chosen when the model is built. Every CreAspire endpoint has its port chosen here (not by DCP): a target
/// port DCP allocates is still a placeholder when the first health check runs. Ports handed out once are not handed out
/// again by this process, so the resources of one app never collide.
/// </summary>
public static class FreePorts
{
    private static readonly HashSet<int> Handed = [];

    public static int Next()
    {
        lock (Handed)
        {
            while (true)
            {
                using var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                var port = ((IPEndPoint)listener.LocalEndpoint).Port;
                if (Handed.Add(port))
                {
                    return port;
                }
            }
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
}
