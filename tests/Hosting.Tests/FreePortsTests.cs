using System.Diagnostics;
using System.Globalization;
using CreAspire.Hosting.Run;

namespace CreAspire.Hosting.Tests;

/// <summary>A port one process handed out is not handed out by another while the first lives; a dead owner's is taken over.</summary>
public sealed class FreePortsTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("creaspire-ports-");

    [Fact]
    public async Task A_port_reserved_by_a_live_process_is_refused_and_taken_over_once_that_process_is_gone()
    {
        const int port = 23456;
        using var other = Process.Start(new ProcessStartInfo("sleep", "60") { UseShellExecute = false })!;
        try
        {
            Assert.True(FreePorts.TryReserve(_folder.FullName, port, other.Id));
            Assert.False(FreePorts.TryReserve(_folder.FullName, port, Environment.ProcessId));
            Assert.True(FreePorts.TryReserve(_folder.FullName, port, other.Id), "the owner may reserve its own port again");
        }
        finally
        {
            other.Kill();
            await other.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }

        Assert.True(FreePorts.TryReserve(_folder.FullName, port, Environment.ProcessId));
        Assert.Equal(Environment.ProcessId.ToString(CultureInfo.InvariantCulture), File.ReadAllText(Path.Combine(_folder.FullName, port.ToString(CultureInfo.InvariantCulture))));
    }

    [Fact]
    public void A_reservation_file_that_names_no_process_is_taken_over()
    {
        File.WriteAllText(Path.Combine(_folder.FullName, "23457"), "half-writ");
        Assert.True(FreePorts.TryReserve(_folder.FullName, 23457, Environment.ProcessId));
    }

    [Fact]
    public void Ports_handed_out_by_this_process_are_reserved_in_its_name()
    {
        var port = FreePorts.Next();
        var reservation = Path.Combine(FreePorts.ReservationFolder, port.ToString(CultureInfo.InvariantCulture));
        Assert.Equal(Environment.ProcessId.ToString(CultureInfo.InvariantCulture), File.ReadAllText(reservation));
        Assert.False(FreePorts.TryReserve(FreePorts.ReservationFolder, port, 1), "another live process (init) cannot take it");
    }

    public void Dispose() => _folder.Delete(recursive: true);
}
