using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http;
using System.Net.WebSockets;
using Nethereum.Signer;
using CreAspire.Protocol.Identity;
using CreAspire.Protocol.Topology;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CreAspire.Don.Transport;

/// <summary>Thrown when a peer could not be reached, refused a request, or did not answer in time.</summary>
public sealed class DonTransportException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>A session a node opened to a peer (by the peer's address): "open", "connecting", "closed" or "failed", and why.</summary>
public sealed record DonPeerSession(string Peer, string State, string? Reason);

/// <summary>
/// Sends requests to peers over one authenticated session per peer (<see cref="DonHandshake"/>, <see cref="DonSession"/>),
/// opened on the first send and re-opened on the next send after it closed. A refused connection is retried
/// <see cref="DonTransportOptions.ConnectAttempts"/> times with exponential backoff; every send has a caller-supplied
/// overall timeout that also bounds connecting.
/// </summary>
public sealed partial class DonTransportClient : IAsyncDisposable, IDisposable
{
    private readonly ConcurrentDictionary<string, Task<DonSession>> _sessions = new(StringComparer.Ordinal);
    private readonly Lock _connecting = new();
    private readonly CancellationTokenSource _disposing = new();
    private readonly PeerDirectory _peers;
    private readonly DonTransportOptions _options;
    private readonly ILogger<DonTransportClient> _logger;
    private readonly EthECKey _key;

    public DonTransportClient(NodeIdentity identity, PeerDirectory peers, IOptions<DonTransportOptions> options, TimeProvider clock, ILogger<DonTransportClient> logger)
    {
        ArgumentNullException.ThrowIfNull(identity);
        ArgumentNullException.ThrowIfNull(options);
        Identity = identity;
        _key = identity.Key;
        Clock = clock;
        _peers = peers;
        _options = options.Value;
        _logger = logger;
    }

    public NodeIdentity Identity { get; }

    public TimeProvider Clock { get; }

    /// <summary>Sessions open now (handshake done, not closed).</summary>
    public int OpenSessionCount => _sessions.Values.Count(t => t.IsCompletedSuccessfully && !t.Result.IsClosed);

    /// <summary>
    /// Sends <paramref name="body"/> to <paramref name="peerAddress"/> and returns its (successful) answer. The current
    /// activity's context goes with the request, as HttpClient sends traceparent, and the answer carries the context of
    /// the span that produced it (<see cref="DonReply.Trace"/>). Throws <see cref="DonTransportException"/> when the peer
    /// is unknown or unreachable, refuses the request (non-200 status, with its reason), or does not answer within
    /// <paramref name="timeout"/>.
    /// </summary>
    public async Task<DonReply> SendAsync(string peerAddress, byte[] body, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(peerAddress);
        ArgumentNullException.ThrowIfNull(body);
        if (!_peers.TryResolve(peerAddress, out var baseUrl))
        {
            throw new DonTransportException($"no URL is configured for node {peerAddress} (set {PeerDirectory.SectionName}__{peerAddress.ToLowerInvariant()})");
        }

        if (body.Length > _options.MaxBodyBytes)
        {
            throw new DonTransportException($"request of {body.Length} bytes to node {peerAddress} exceeds Don:Transport:MaxBodyBytes ({_options.MaxBodyBytes})");
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposing.Token);
        deadline.CancelAfter(timeout);
        try
        {
            var opening = SessionFor(peerAddress.ToLowerInvariant(), baseUrl!);
            if (!opening.IsCompletedSuccessfully)
            {
                Activity.Current?.AddEvent(new ActivityEvent("waiting for the DON session to open"));
            }

            var session = await opening.WaitAsync(deadline.Token).ConfigureAwait(false);
            var reply = await session.RequestAsync(body, Activity.Current?.Context ?? default, deadline.Token).ConfigureAwait(false);
            return reply.IsSuccess ? reply : throw new DonTransportException($"node {peerAddress} refused the request ({reply.StatusCode}): {reply.BodyText}");
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new DonTransportException(_disposing.IsCancellationRequested
                ? $"the transport of node {Identity.Address} is shutting down"
                : $"node {peerAddress} did not answer within {timeout.TotalSeconds:0.###} s", ex);
        }
    }

    /// <summary>
    /// Opens (in the background) the sessions to <paramref name="peerAddresses"/> that are not open yet, so that the first
    /// call does not pay for the WebSocket upgrade and the signed handshake. Peers without a configured URL are skipped;
    /// a session that fails to open is opened again by the next send.
    /// </summary>
    public void Open(IEnumerable<string> peerAddresses)
    {
        ArgumentNullException.ThrowIfNull(peerAddresses);
        if (_disposing.IsCancellationRequested)
        {
            return;
        }

        foreach (var address in peerAddresses)
        {
            if (_peers.TryResolve(address, out var baseUrl))
            {
                var opening = SessionFor(address.ToLowerInvariant(), baseUrl!);
                _ = opening.ContinueWith(t => LogOpenFailed(_logger, address, t.Exception?.GetBaseException().Message ?? "cancelled"),
                    CancellationToken.None, TaskContinuationOptions.NotOnRanToCompletion, TaskScheduler.Default);
            }
        }
    }

    /// <summary>The sessions this node has opened to peers, as they stand now (for the explorer's DON view).</summary>
    public IReadOnlyList<DonPeerSession> OutgoingSessions => _sessions
        .Select(s => s.Value.Status switch
        {
            TaskStatus.RanToCompletion when !s.Value.Result.IsClosed => new DonPeerSession(s.Key, "open", null),
            TaskStatus.RanToCompletion => new DonPeerSession(s.Key, "closed", s.Value.Result.CloseReason),
            TaskStatus.Faulted => new DonPeerSession(s.Key, "failed", s.Value.Exception?.GetBaseException().Message),
            TaskStatus.Canceled => new DonPeerSession(s.Key, "failed", "connecting was cancelled"),
            _ => new DonPeerSession(s.Key, "connecting", null),
        })
        .OrderBy(s => s.Peer, StringComparer.Ordinal)
        .ToArray();

    private Task<DonSession> SessionFor(string peer, Uri baseUrl)
    {
        lock (_connecting)
        {
            if (_sessions.TryGetValue(peer, out var existing) && !(existing.IsFaulted || existing.IsCanceled || (existing.IsCompletedSuccessfully && existing.Result.IsClosed)))
            {
                return existing;
            }

            var connecting = ConnectAsync(peer, baseUrl);
            _sessions[peer] = connecting;
            if (existing is { IsCompletedSuccessfully: true })
            {
                _ = existing.Result.DisposeAsync().AsTask();
            }

            return connecting;
        }
    }

    private async Task<DonSession> ConnectAsync(string peer, Uri baseUrl)
    {
        // A session outlives the call that happens to open it: its WebSocket upgrade (and the acceptor's request span,
        // which lasts as long as the session) must not become part of that call's trace. Only this method's flow is affected.
        Activity.Current = null;
        var builder = new UriBuilder(new Uri(baseUrl, DonTransportOptions.SessionPath));
        builder.Scheme = builder.Scheme == Uri.UriSchemeHttps ? "wss" : "ws";
        var url = builder.Uri;
        var backoff = _options.RetryBackoff;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await ConnectOnceAsync(peer, url).ConfigureAwait(false);
            }
            catch (WebSocketException ex) when (attempt < _options.ConnectAttempts && !_disposing.IsCancellationRequested)
            {
                LogRetry(_logger, peer, backoff.TotalMilliseconds, ex.Message);
                await Task.Delay(backoff, Clock, _disposing.Token).ConfigureAwait(false);
                backoff *= 2;
            }
            catch (WebSocketException ex)
            {
                throw new DonTransportException($"node {peer} at {baseUrl} is unreachable: {ex.Message}", ex);
            }
        }
    }

    private async Task<DonSession> ConnectOnceAsync(string peer, Uri url)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_disposing.Token);
        timeout.CancelAfter(_options.ConnectTimeout);
        var socket = new ClientWebSocket();
        socket.Options.KeepAliveInterval = _options.KeepAliveInterval;
        try
        {
            await socket.ConnectAsync(url, timeout.Token).ConfigureAwait(false);
            var (hello, ephemeral) = DonHandshake.CreateHello(_key, peer, Clock);
            using (ephemeral)
            {
                var helloBytes = DonHandshake.Serialize(hello);
                await socket.SendAsync(helloBytes, WebSocketMessageType.Binary, true, timeout.Token).ConfigureAwait(false);
                var welcomeBytes = await DonHandshake.ReceiveHandshakeAsync(socket, timeout.Token).ConfigureAwait(false)
                    ?? throw new DonTransportException($"node {peer} closed the connection during the session handshake");
                var keys = DonHandshake.Complete(ephemeral, helloBytes, welcomeBytes, peer);
                LogConnected(_logger, peer, url);
                return new DonSession(socket, peer, keys, _options.MaxBodyBytes, handler: null, _logger);
            }
        }
        catch (OperationCanceledException ex) when (!_disposing.IsCancellationRequested)
        {
            socket.Dispose();
            throw new DonTransportException($"could not open a session with node {peer} at {url} within {_options.ConnectTimeout.TotalSeconds:0.###} s", ex);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposing.IsCancellationRequested)
        {
            return;
        }

        await _disposing.CancelAsync().ConfigureAwait(false);
        foreach (var session in _sessions.Values)
        {
            if (session.IsCompletedSuccessfully)
            {
                await session.Result.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    [LoggerMessage(Level = LogLevel.Debug, Message = "Connecting to {Peer} failed, retrying in {DelayMs} ms: {Error}")]
    private static partial void LogRetry(ILogger logger, string peer, double delayMs, string error);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Opening a DON session with {Peer} ahead of the first call failed (the next call opens it): {Error}")]
    private static partial void LogOpenFailed(ILogger logger, string peer, string error);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Opened a DON session with {Peer} at {Url}")]
    private static partial void LogConnected(ILogger logger, string peer, Uri url);
}
