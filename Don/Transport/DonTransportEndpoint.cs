using System.Text.Json;
using CreAspire.Don.Remote;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace CreAspire.Don.Transport;

/// <summary>The receiving end of the DON transport: reads a signed envelope and hands it to the remote capability server.</summary>
internal static class DonTransportEndpoint
{
    public static async Task HandleAsync(HttpContext context, RemoteCapabilityServer server, IOptions<DonTransportOptions> options)
    {
        var limit = options.Value.MaxBodyBytes;
        if (context.Request.ContentLength > limit)
        {
            await WriteAsync(context, new DonReply(413, System.Text.Encoding.UTF8.GetBytes($"message exceeds {limit} bytes"), "text/plain")).ConfigureAwait(false);
            return;
        }

        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted).ConfigureAwait(false);
        DonEnvelope? envelope = null;
        try
        {
            envelope = buffer.Length <= limit ? DonJson.DeserializeEnvelope(buffer.GetBuffer().AsSpan(0, (int)buffer.Length)) : null;
        }
        catch (JsonException)
        {
            envelope = null;
        }

        if (envelope is null || envelope.Body is null || envelope.Sender is null || envelope.MessageId is null || envelope.Kind is null)
        {
            await WriteAsync(context, new DonReply(400, "body is not a DON envelope (kind, sender, messageId, timestampUnixMs, body, signature)"u8.ToArray(), "text/plain")).ConfigureAwait(false);
            return;
        }

        var reply = await server.HandleAsync(envelope, context.RequestAborted).ConfigureAwait(false);
        await WriteAsync(context, reply).ConfigureAwait(false);
    }

    private static async Task WriteAsync(HttpContext context, DonReply reply)
    {
        context.Response.StatusCode = reply.StatusCode;
        context.Response.ContentType = reply.ContentType;
        context.Response.ContentLength = reply.Body.Length;
        await context.Response.Body.WriteAsync(reply.Body, context.RequestAborted).ConfigureAwait(false);
    }
}
