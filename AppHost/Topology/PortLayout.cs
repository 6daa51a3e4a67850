using CreAspire.Hosting.Run;

namespace CreAspire.AppHost.Topology;

/// <summary>
/// The ports of the topology. With a port base B (the AppHost's default 19000) they are fixed, so the README can name them:
/// postgres B+1, anvil B+2, artifacts B+3, gateway B+4, enclave B+5, explorer B+6, wf-i B+100+i, relay-i B+200+i, cap-i B+300+i.
/// With base 0 (the testing builder, or --port-base 0) every port is a free one.
/// </summary>
public sealed class PortLayout(int portBase)
{
    public int Base { get; } = portBase;

    public int Postgres => Fixed(1);

    public int Anvil => Fixed(2);

    public int Artifacts => Fixed(3);

    public int Gateway => Fixed(4);

    public int Enclave => Fixed(5);

    public int Explorer => Fixed(6);

    /// <summary>The port of node <paramref name="name"/> ("wf-0", "relay-3", "cap-1").</summary>
    public int Node(string name)
    {
        var dash = name.LastIndexOf('-');
        var index = int.Parse(name.AsSpan(dash + 1), System.Globalization.CultureInfo.InvariantCulture);
        var block = name[..dash] switch
        {
            "wf" => 100,
            "relay" => 200,
            "cap" => 300,
            _ => throw new ArgumentException($"'{name}' is not a node name (wf-i, relay-i, cap-i).", nameof(name)),
        };
        return Fixed(block + index);
    }

    private readonly Dictionary<int, int> _chosen = [];

    private int Fixed(int offset)
    {
        if (_chosen.TryGetValue(offset, out var chosen))
        {
            return chosen;
        }

        return _chosen[offset] = Choose(offset);
    }

    private int Choose(int offset)
    {
        if (Base == 0)
        {
            return FreePorts.Next();
        }

        var port = Base + offset;
        return FreePorts.IsFree(port)
            ? port
            : throw new ArgumentException(
                $"Port {port} (port base {Base} + {offset}) is in use: is another CreAspire AppHost running? Stop it, or pass --port-base 0 for free ports (or another base).");
    }
}
