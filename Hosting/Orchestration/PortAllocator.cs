using System.Net;
using System.Net.Sockets;

namespace CreAspire.Hosting.Orchestration;

/// <summary>Free loopback ports, never the same one twice within one app.</summary>
internal sealed class PortAllocator
{
    private readonly HashSet<int> _used = [];

    public int Allocate()
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            if (_used.Add(port))
            {
                return port;
            }
        }

        throw new DistributedApplicationException("Could not allocate a free loopback port after 50 attempts.");
    }

    public void AllocateEndpoints(IEnumerable<IResource> resources)
    {
        foreach (var endpoint in resources.SelectMany(r => r.Annotations.OfType<EndpointAnnotation>()))
        {
            endpoint.AllocatedPort = endpoint.Port ?? Allocate();
            _used.Add(endpoint.AllocatedPort.Value);
        }
    }
}
