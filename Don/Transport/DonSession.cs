using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace CreAspire.Don.Transport;

/// <summary>An answer to one DON request: an HTTP-like status (200 = answered) and the body.</summary>
public readonly record struct DonReply(int StatusCode, byte[] Body)
{
    /// <summary>The span that produced the answer (W3C trace context, carried in the response record); default when none.</summary>
    public ActivityContext Trace { get; init; }

    public bool IsSuccess => StatusCode == 200;

    public static DonReply Text(int statusCode, string message) => new(statusCode, Encoding.UTF8.GetBytes(message));

    public string BodyText => Encoding.UTF8.GetString(Body);
}

/// <summary>
/// Handles one request that arrived on a session from the authenticated node <paramref name="sender"/>;
/// <paramref name="trace"/> is the sender's span the request was sent from (default when it sent none).
/// </summary>
public delegate Task<DonReply> DonRequestHandler(string sender, byte[] body, ActivityContext trace, CancellationToken cancellationToken);

/// <summary>
/// One authenticated WebSocket session between two nodes, after <see cref="DonHandshake"/>. The dialer sends requests,
/// the acceptor answers them; requests and answers are multiplexed by id, so any number can be in flight. Outgoing
/// records queue in a channel and one sender loop packs whatever is queued (up to <see cref="BatchBytes"/>) into one
/// frame with one MAC (<see cref="DonFrameCodec"/>): under load many records share a frame and a system call.
/// A frame that fails authentication, a malformed frame or any socket error closes the session, failing every request
/// still waiting on it; the client opens a new session on its next send.
/// </summary>
/// <remarks>
/// Record: type (1 byte: 1 request, 2 response; | 0x80 when a trace context follows the header) ‖ id (uint64BE) ‖ status
/// (uint16BE) ‖ length (int32BE) ‖ [trace context] ‖ body. The trace context is W3C traceparent and tracestate in binary:
/// trace id (16) ‖ parent span id (8) ‖ trace flags (1) ‖ tracestate length (uint16BE) ‖ tracestate (ASCII). It travels
/// per request and per answer inside the authenticated frame, and beside the body, never in it: capability nodes group
/// identical requests by the body's hash, so each caller's own span id must not be part of what they compare.
/// </remarks>
internal sealed partial class DonSession : IAsyncDisposable
{
    public const int BatchBytes = 64 * 1024;
    private const int HeaderLength = 1 + 8 + 2 + 4;
    private const int TraceFixedLength = 16 + 8 + 1 + 2;
    private const int MaxTraceStateLength = 512;
    private const byte RequestRecord = 1;
    private const byte ResponseRecord = 2;
    private const byte TracedFlag = 0x80;

    private readonly WebSocket _socket;
    private readonly DonFrameCodec _sendCodec;
    private readonly DonFrameCodec _receiveCodec;
    private readonly int _maxBodyBytes;
    private readonly DonRequestHandler? _handler;
    private readonly ILogger _logger;
    private readonly Channel<Outgoing> _outgoing = Channel.CreateUnbounded<Outgoing>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<ulong, TaskCompletionSource<DonReply>> _waiting = new();
    private readonly CancellationTokenSource _closing = new();
    private readonly Task _sender;
    private readonly Task _receiver;
    private long _nextId;
    private int _closed;

    /// <param name="handler">Answers requests (acceptor side); null on the dialer side, which only sends requests.</param>
    public DonSession(WebSocket socket, string peer, DonSessionKeys keys, int maxBodyBytes, DonRequestHandler? handler, ILogger logger)
    {
        _socket = socket;
        Peer = peer;
        _sendCodec = new DonFrameCodec(keys.Send);
        _receiveCodec = new DonFrameCodec(keys.Receive);
        _maxBodyBytes = maxBodyBytes;
        _handler = handler;
        _logger = logger;

        // The loops serve every request of the session, so they must not run in the activity of whoever opened it (the
        // first caller's span, or the acceptor's WebSocket upgrade request): a span started without a context of its own
        // would join that trace.
        using (ExecutionContext.SuppressFlow())
        {
            _sender = Task.Run(SendLoopAsync);
            _receiver = Task.Run(ReceiveLoopAsync);
        }
    }

    /// <summary>The authenticated node at the other end.</summary>
    public string Peer { get; }

    public bool IsClosed => Volatile.Read(ref _closed) != 0;

    /// <summary>Why the session closed (null while open).</summary>
    public string? CloseReason { get; private set; }

    /// <summary>Completes when both loops have ended (after <see cref="Close"/> or a socket failure).</summary>
    public Task Completion => Task.WhenAll(_sender, _receiver);

    /// <summary>
    /// Sends <paramref name="body"/> as a request, with <paramref name="trace"/> (the sending span; default: none) beside
    /// it, and waits for its answer (bounded by the caller's token).
    /// </summary>
    public async Task<DonReply> RequestAsync(byte[] body, ActivityContext trace, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        var id = (ulong)Interlocked.Increment(ref _nextId);
        var answer = new TaskCompletionSource<DonReply>(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiting[id] = answer;
        try
        {
            if (!_outgoing.Writer.TryWrite(new Outgoing(RequestRecord, id, 0, body, trace)))
            {
                throw Closed();
            }

            return await answer.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _waiting.TryRemove(id, out _);
        }
    }

    /// <summary>Closes the session (idempotent): stops both loops, fails waiting requests with <paramref name="reason"/>.</summary>
    public void Close(string reason)
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return;
        }

        CloseReason = reason;
        _outgoing.Writer.TryComplete();
        foreach (var (_, waiting) in _waiting)
        {
            waiting.TrySetException(Closed());
        }

        _closing.Cancel();
        _socket.Abort();
    }

    public async ValueTask DisposeAsync()
    {
        if (!IsClosed && _socket.State == WebSocketState.Open)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "closing", timeout.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
            {
                // best effort: the abort below ends the session either way
            }
        }

        Close("session disposed");
        await Completion.ConfigureAwait(false);
        _socket.Dispose();
        _sendCodec.Dispose();
        _receiveCodec.Dispose();
        _closing.Dispose();
    }

    private DonTransportException Closed() => new($"connection to node {Peer} closed: {CloseReason ?? "closing"}");

    private async Task SendLoopAsync()
    {
        var frame = new ArrayBufferWriter<byte>(BatchBytes + HeaderLength + DonFrameCodec.TagLength);
        var reader = _outgoing.Reader;
        try
        {
            while (await reader.WaitToReadAsync(_closing.Token).ConfigureAwait(false))
            {
                frame.ResetWrittenCount();
                while (frame.WrittenCount < BatchBytes && reader.TryRead(out var record))
                {
                    Write(frame, record);
                }

                var tag = frame.GetSpan(DonFrameCodec.TagLength)[..DonFrameCodec.TagLength];
                _sendCodec.Seal(frame.WrittenSpan, tag);
                frame.Advance(DonFrameCodec.TagLength);
                await _socket.SendAsync(frame.WrittenMemory, WebSocketMessageType.Binary, true, _closing.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (_closing.IsCancellationRequested)
        {
            // closed
        }
        catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException or IOException or OperationCanceledException)
        {
            Close($"sending failed: {ex.Message}");
        }
    }

    private static void Write(ArrayBufferWriter<byte> frame, Outgoing record)
    {
        var traced = record.Trace != default;
        var header = frame.GetSpan(HeaderLength);
        header[0] = traced ? (byte)(record.Type | TracedFlag) : record.Type;
        BinaryPrimitives.WriteUInt64BigEndian(header[1..], record.Id);
        BinaryPrimitives.WriteUInt16BigEndian(header[9..], record.Status);
        BinaryPrimitives.WriteInt32BigEndian(header[11..], record.Body.Length);
        frame.Advance(HeaderLength);
        if (traced)
        {
            WriteTrace(frame, record.Trace);
        }

        frame.Write(record.Body);
    }

    private static void WriteTrace(ArrayBufferWriter<byte> frame, ActivityContext trace)
    {
        // A tracestate over the W3C limit is dropped rather than cut (a cut list-member would be malformed).
        var state = trace.TraceState is { Length: > 0 and <= MaxTraceStateLength } s && Ascii.IsValid(s) ? s : "";
        var span = frame.GetSpan(TraceFixedLength + state.Length);
        trace.TraceId.CopyTo(span[..16]);
        trace.SpanId.CopyTo(span[16..24]);
        span[24] = (byte)trace.TraceFlags;
        BinaryPrimitives.WriteUInt16BigEndian(span[25..], (ushort)state.Length);
        Encoding.ASCII.GetBytes(state, span[TraceFixedLength..]);
        frame.Advance(TraceFixedLength + state.Length);
    }

    /// <summary>Reads a trace context written by <see cref="WriteTrace"/>; null when it is malformed. An all-zero id reads as no context.</summary>
    private static (ActivityContext Trace, int Length)? ReadTrace(ReadOnlySpan<byte> payload)
    {
        if (payload.Length < TraceFixedLength)
        {
            return null;
        }

        var stateLength = BinaryPrimitives.ReadUInt16BigEndian(payload[25..]);
        if (stateLength > MaxTraceStateLength || payload.Length < TraceFixedLength + stateLength)
        {
            return null;
        }

        var traceId = ActivityTraceId.CreateFromBytes(payload[..16]);
        var spanId = ActivitySpanId.CreateFromBytes(payload[16..24]);
        if (traceId == default || spanId == default)
        {
            return (default, TraceFixedLength + stateLength);
        }

        var state = stateLength == 0 ? null : Encoding.ASCII.GetString(payload.Slice(TraceFixedLength, stateLength));
        return (new ActivityContext(traceId, spanId, (ActivityTraceFlags)payload[24], state, isRemote: true), TraceFixedLength + stateLength);
    }

    private async Task ReceiveLoopAsync()
    {
        var maxFrame = _maxBodyBytes + BatchBytes + HeaderLength + DonFrameCodec.TagLength;
        var buffer = ArrayPool<byte>.Shared.Rent(BatchBytes);
        try
        {
            while (true)
            {
                var length = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    if (length == buffer.Length)
                    {
                        if (buffer.Length >= maxFrame)
                        {
                            Close($"frame from {Peer} exceeds {maxFrame} bytes");
                            return;
                        }

                        var larger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, maxFrame));
                        buffer.AsSpan(0, length).CopyTo(larger);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = larger;
                    }

                    result = await _socket.ReceiveAsync(buffer.AsMemory(length), _closing.Token).ConfigureAwait(false);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        Close($"node {Peer} closed the session");
                        return;
                    }

                    length += result.Count;
                }
                while (!result.EndOfMessage);

                var sequence = _receiveCodec.Sequence;
                if (!_receiveCodec.Open(buffer.AsSpan(0, length)))
                {
                    LogFrameRejected(_logger, Peer, sequence);
                    Close($"frame {sequence} from {Peer} failed authentication (tampered, replayed or reordered)");
                    return;
                }

                if (Dispatch(buffer.AsSpan(0, length - DonFrameCodec.TagLength)) is { } malformed)
                {
                    LogMalformed(_logger, Peer, malformed);
                    Close($"malformed frame from {Peer}: {malformed}");
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (_closing.IsCancellationRequested)
        {
            // closed
        }
        catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException or IOException or OperationCanceledException)
        {
            Close($"receiving failed: {ex.Message}");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Hands each record of an authenticated frame on; returns what is wrong with the frame, or null.</summary>
    private string? Dispatch(ReadOnlySpan<byte> payload)
    {
        while (!payload.IsEmpty)
        {
            if (payload.Length < HeaderLength)
            {
                return $"truncated record header ({payload.Length} bytes)";
            }

            var traced = (payload[0] & TracedFlag) != 0;
            var type = (byte)(payload[0] & ~TracedFlag);
            var id = BinaryPrimitives.ReadUInt64BigEndian(payload[1..]);
            var status = BinaryPrimitives.ReadUInt16BigEndian(payload[9..]);
            var length = BinaryPrimitives.ReadInt32BigEndian(payload[11..]);
            payload = payload[HeaderLength..];
            ActivityContext trace = default;
            if (traced)
            {
                if (ReadTrace(payload) is not var (context, traceLength))
                {
                    return "malformed trace context";
                }

                trace = context;
                payload = payload[traceLength..];
            }

            if (length < 0 || length > _maxBodyBytes || length > payload.Length)
            {
                return $"record length {length} is out of range";
            }

            var body = payload[..length].ToArray();
            payload = payload[length..];
            switch (type)
            {
                case RequestRecord when _handler is not null:
                    _ = AnswerAsync(id, body, trace);
                    break;
                case ResponseRecord when _handler is null:
                    if (_waiting.TryRemove(id, out var waiting))
                    {
                        waiting.TrySetResult(new DonReply(status, body) { Trace = trace });
                    }

                    break;
                default:
                    return $"unexpected record type {type} on the {(_handler is null ? "dialing" : "accepting")} side";
            }
        }

        return null;
    }

    private async Task AnswerAsync(ulong id, byte[] body, ActivityContext trace)
    {
        DonReply reply;
        try
        {
            reply = await _handler!(Peer, body, trace, _closing.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_closing.IsCancellationRequested)
        {
            return;
        }
#pragma warning disable CA1031 // a failing handler answers its caller; it must not take the session down
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogHandlerFailed(_logger, ex, Peer);
            reply = DonReply.Text(500, "the node failed to handle the request (see its log)");
        }

        if (reply.Body.Length > _maxBodyBytes)
        {
            reply = DonReply.Text(413, $"the answer of {reply.Body.Length} bytes exceeds Don:Transport:MaxBodyBytes ({_maxBodyBytes})");
        }

        _outgoing.Writer.TryWrite(new Outgoing(ResponseRecord, id, (ushort)reply.StatusCode, reply.Body, reply.Trace));
    }

    private readonly record struct Outgoing(byte Type, ulong Id, ushort Status, byte[] Body, ActivityContext Trace);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Closed DON session with {Peer}: frame {Sequence} failed authentication (tampered, replayed or reordered)")]
    private static partial void LogFrameRejected(ILogger logger, string peer, ulong sequence);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Closed DON session with {Peer}: malformed frame: {Reason}")]
    private static partial void LogMalformed(ILogger logger, string peer, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Handling a DON request from {Peer} threw")]
    private static partial void LogHandlerFailed(ILogger logger, Exception exception, string peer);
}
