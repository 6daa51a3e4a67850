using CreAspire.Chain.Crypto;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using CreAspire.Protocol.Identity;
using CreAspire.Protocol.Topology;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CreAspire.Don.Transport;

/// <summary>Thrown when a peer could not be reached or answered with something other than a valid signed envelope.</summary>
public sealed class DonTransportException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Sends signed envelopes to peers over HTTP POST and returns their signed answers. Connections are pooled and
/// re-established on demand; a refused connection is retried <see cref="DonTransportOptions.ConnectAttempts"/> times with
/// exponential backoff; every send has a caller-supplied overall timeout.
/// </summary>
public sealed partial class DonTransportClient : IDisposable
{
    private static readonly MediaTypeHeaderValue JsonContentType = new("application/json");
    private readonly HttpClient _http;
    private readonly PeerDirectory _peers;
    private readonly DonTransportOptions _options;
    private readonly ILogger<DonTransportClient> _logger;
    private readonly EthKey _signer;

    public DonTransportClient(NodeIdentity identity, PeerDirectory peers, IOptions<DonTransportOptions> options, TimeProvider clock, ILogger<DonTransportClient> logger)
    {
        ArgumentNullException.ThrowIfNull(identity);
        ArgumentNullException.ThrowIfNull(options);
        Identity = identity;
        _signer = identity.Key;
        Clock = clock;
        _peers = peers;
        _options = options.Value;
        _logger = logger;
        _http = new HttpClient(new SocketsHttpHandler
        {
            ConnectTimeout = _options.ConnectTimeout,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(2),
            MaxConnectionsPerServer = 256,
        })
        {
            Timeout = Timeout.InfiniteTimeSpan, // every send carries its own deadline
        };
    }

    public NodeIdentity Identity { get; }

    public TimeProvider Clock { get; }

    /// <summary>Signs <paramref name="body"/> with this node's key.</summary>
    public DonEnvelope Sign(string kind, byte[] body) => DonEnvelope.Create(kind, _signer, body, Clock);

    /// <summary>POSTs <paramref name="envelope"/> to <paramref name="peerAddress"/> and returns its answer, checked to be signed by that peer.</summary>
    public async Task<DonEnvelope> SendAsync(string peerAddress, DonEnvelope envelope, string expectedReplyKind, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        if (!_peers.TryResolve(peerAddress, out var baseUrl))
        {
            throw new DonTransportException($"no URL is configured for node {peerAddress} (set {PeerDirectory.SectionName}__{peerAddress.ToLowerInvariant()})");
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var url = new Uri(baseUrl!, DonTransportOptions.MessagesPath);
        var payload = DonJson.Serialize(envelope);
        var backoff = _options.RetryBackoff;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                using var content = new ByteArrayContent(payload);
                content.Headers.ContentType = JsonContentType;
                using var response = await _http.PostAsync(url, content, deadline.Token).ConfigureAwait(false);
                var bytes = await response.Content.ReadAsByteArrayAsync(deadline.Token).ConfigureAwait(false);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    throw new DonTransportException($"node {peerAddress} refused the message ({(int)response.StatusCode}): {System.Text.Encoding.UTF8.GetString(bytes)}");
                }

                return CheckReply(peerAddress, bytes, expectedReplyKind);
            }
            catch (HttpRequestException ex) when (ex.HttpRequestError == HttpRequestError.ConnectionError && attempt < _options.ConnectAttempts && !deadline.IsCancellationRequested)
            {
                LogRetry(_logger, peerAddress, backoff.TotalMilliseconds, ex.Message);
                await Task.Delay(backoff, Clock, deadline.Token).ConfigureAwait(false);
                backoff *= 2;
            }
            catch (HttpRequestException ex)
            {
                throw new DonTransportException($"node {peerAddress} at {baseUrl} is unreachable: {ex.Message}", ex);
            }
            catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
            {
                throw new DonTransportException($"node {peerAddress} did not answer within {timeout.TotalSeconds:0.###} s", ex);
            }
        }
    }

    private static DonEnvelope CheckReply(string peerAddress, byte[] bytes, string expectedReplyKind)
    {
        DonEnvelope? reply;
        try
        {
            reply = DonJson.DeserializeEnvelope(bytes);
        }
        catch (JsonException ex)
        {
            throw new DonTransportException($"node {peerAddress} answered with malformed JSON: {ex.Message}", ex);
        }

        if (reply is null || reply.Kind != expectedReplyKind)
        {
            throw new DonTransportException($"node {peerAddress} answered with '{reply?.Kind}' instead of '{expectedReplyKind}'");
        }

        if (!string.Equals(reply.Sender, peerAddress, StringComparison.OrdinalIgnoreCase) || !reply.IsSignedBy(peerAddress))
        {
            throw new DonTransportException($"answer from node {peerAddress} is not signed by it (signer {reply.RecoverSigner() ?? "none"}, claimed sender {reply.Sender})");
        }

        return reply;
    }

    public void Dispose() => _http.Dispose();

    [LoggerMessage(Level = LogLevel.Debug, Message = "Connecting to {Peer} failed, retrying in {DelayMs} ms: {Error}")]
    private static partial void LogRetry(ILogger logger, string peer, double delayMs, string error);
}
