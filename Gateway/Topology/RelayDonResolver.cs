using CreAspire.Gateway.Connections;
using CreAspire.Protocol.Topology;
using Microsoft.Extensions.Options;

namespace CreAspire.Gateway.Topology;

/// <summary>Finds the DON the gateway serves (Gateway:DonId or Gateway:DonName) in the current topology.</summary>
public sealed class RelayDonResolver(ITopologySource topology, IOptions<GatewayOptions> options)
{
    private readonly GatewayOptions _options = options.Value;

    public async ValueTask<DonInfo> ResolveAsync(CancellationToken cancellationToken)
    {
        var snapshot = await topology.GetSnapshotAsync(cancellationToken).ConfigureAwait(false);
        var don = _options.DonId is { } id
            ? snapshot.FindDon(id)
            : snapshot.Dons.FirstOrDefault(d => string.Equals(d.Name, _options.DonName, StringComparison.Ordinal));
        return don ?? throw new InvalidOperationException(
            $"the relay DON ({(_options.DonId is { } i ? $"id {i}" : $"name '{_options.DonName}'")}) is not in the topology " +
            $"(DONs: {(snapshot.Dons.Count == 0 ? "none" : string.Join(", ", snapshot.Dons.Select(d => $"{d.Id}/{d.Name}")))}); " +
            "check Gateway:DonId / Gateway:DonName and the registry");
    }

    /// <summary>True when the DON id a node put in its auth header names this DON (by name or decimal id).</summary>
    public static bool NamesDon(DonInfo don, string headerDonId) =>
        string.Equals(headerDonId, don.Name, StringComparison.Ordinal)
        || string.Equals(headerDonId, don.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
}
