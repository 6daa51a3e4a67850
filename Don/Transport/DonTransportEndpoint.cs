using System.Net.WebSockets;
using System.Text.Json;
using CreAspire.Don.Remote;
using CreAspire.Protocol.Identity;
using CreAspire.Protocol.Topology;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CreAspire.Don.Transport;

/// <summary>
/// The accepting end of the DON transport: upgrades to a WebSocket, runs the acceptor side of <see cref="DonHandshake"/>
/// (hello addressed to this node, fresh, signed by its sender, sender a member of a DON in the registry), then serves the
/// session's requests with the <see cref="RemoteCapabilityServer"/> until either side closes or the node stops.
/// Refusals are answered with a welcome carrying the reason and logged at Warning.
/// </summary>
internal static partial class DonTransportEndpoint
{
    public static async Task HandleAsync(
        HttpContext context,
        NodeIdentity identity,
        RemoteCapabilityServer server,
        ITopologySource topology,
        TimeProvider clock,
        IHostApplicationLifetime lifetime,
        IOptions<DonTransportOptions> options,
        ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger(typeof(DonTransportEndpoint).FullName!);
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync($"the DON transport accepts WebSocket sessions only: open one at {DonTransportOptions.SessionPath} and send a signed hello", context.RequestAborted).ConfigureAwait(false);
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext { KeepAliveInterval = options.Value.KeepAliveInterval }).ConfigureAwait(false);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        var accepted = await HandshakeAsync(socket, identity, topology, clock, options.Value, logger, stop.Token).ConfigureAwait(false);
        if (accepted is not var (sender, keys))
        {
            return;
        }

        var session = new DonSession(socket, sender, keys, options.Value.MaxBodyBytes, server.HandleAsync, logger);
        await using (session.ConfigureAwait(false))
        {
            using var closeOnStop = stop.Token.Register(() => session.Close("node is stopping"));
            await session.Completion.ConfigureAwait(false);
        }
    }

    private static async Task<(string Sender, DonSessionKeys Keys)?> HandshakeAsync(
        WebSocket socket, NodeIdentity identity, ITopologySource topology, TimeProvider clock, DonTransportOptions options, ILogger logger, CancellationToken stopping)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        timeout.CancelAfter(options.ConnectTimeout);
        DonHello? hello = null;
        try
        {
            byte[]? helloBytes;
            string? failure = null;
            try
            {
                helloBytes = await DonHandshake.ReceiveHandshakeAsync(socket, timeout.Token).ConfigureAwait(false);
            }
            catch (DonTransportException ex)
            {
                // Too large to be a hello: refused like any other bad hello, so the dialer learns why.
                helloBytes = [];
                failure = ex.Message;
            }

            if (helloBytes is null)
            {
                return null;
            }

            try
            {
                if (failure is null)
                {
                    hello = DonHandshake.ParseHello(helloBytes);
                    failure = DonHandshake.CheckHello(hello, identity.Address, clock, options.MaxClockSkew);
                }
            }
            catch (JsonException ex)
            {
                failure = $"hello is not a DON session hello: {DonHandshake.DescribeJsonError(helloBytes, ex)}";
            }

            if (failure is null)
            {
                var snapshot = await topology.GetSnapshotAsync(timeout.Token).ConfigureAwait(false);
                if (!snapshot.Dons.Any(d => d.IsMember(hello!.Sender)))
                {
                    failure = $"node {hello!.Sender} is not a member of any DON in the registry";
                }
            }

            if (failure is not null)
            {
                LogRefused(logger, hello?.Sender ?? "an unidentified node", failure);
                await socket.SendAsync(DonHandshake.Serialize(new DonWelcome(null, null, null, failure)), WebSocketMessageType.Binary, true, timeout.Token).ConfigureAwait(false);
                await socket.CloseOutputAsync(WebSocketCloseStatus.PolicyViolation, "session refused", timeout.Token).ConfigureAwait(false);
                return null;
            }

            var (_, welcomeBytes, keys) = DonHandshake.Accept(identity.Key, helloBytes, hello!);
            await socket.SendAsync(welcomeBytes, WebSocketMessageType.Binary, true, timeout.Token).ConfigureAwait(false);
            return (hello!.Sender.ToLowerInvariant(), keys);
        }
        catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
        {
            LogRefused(logger, hello?.Sender ?? "an unidentified node", $"no complete handshake within {options.ConnectTimeout.TotalSeconds:0.###} s");
            return null;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
        catch (Exception ex) when (ex is WebSocketException or DonTransportException)
        {
            LogRefused(logger, hello?.Sender ?? "an unidentified node", ex.Message);
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a DON session from {Sender}: {Reason}")]
    private static partial void LogRefused(ILogger logger, string sender, string reason);
}
