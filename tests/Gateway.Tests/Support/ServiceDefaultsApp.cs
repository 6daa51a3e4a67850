using System.Net;
using CreAspire.Telemetry.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace CreAspire.Gateway.Tests.Support;

/// <summary>A slim web app with ServiceDefaults as every service has them, on a free loopback port, exporting to an in-test receiver.</summary>
internal static class ServiceDefaultsApp
{
    public static WebApplicationBuilder CreateBuilder(OtlpReceiver receiver, string service)
    {
        var builder = WebApplication.CreateSlimBuilder();
        foreach (var (key, value) in receiver.ExporterEnvironment(service))
        {
            builder.Configuration[key] = value;
        }

        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        builder.AddServiceDefaults();
        return builder;
    }

    /// <summary>The address a started app listens on.</summary>
    public static Uri BaseAddress(WebApplication app) =>
        new(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
}
