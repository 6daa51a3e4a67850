using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CreAspire.Protocol.Workflows;

namespace CreAspire.Operations.Nodes;

/// <summary>
/// One workflow node's HTTP API (GET /workflows, /workflows/{id}, /executions; POST /workflows/{id}/fire). The
/// <see cref="HttpClient"/> must have the node's base address. Reads throw <see cref="WorkflowNodeException"/> naming the
/// node; <see cref="FireAsync"/> never throws for what the node answered, it reports it.
/// </summary>
public sealed class WorkflowNodeClient(string name, HttpClient http)
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public string Name { get; } = name;

    public Uri? BaseAddress => http.BaseAddress;

    /// <summary>Bound on every read (the node answers from its database).</summary>
    public TimeSpan ReadTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Bound on a fire request: the node itself waits up to its Syncer:FireActivationTimeout for an activation in progress.</summary>
    public TimeSpan FireTimeout { get; init; } = TimeSpan.FromSeconds(45);

    /// <summary>The node's view of the workflow, or null when the node does not know it.</summary>
    public async Task<NodeWorkflowView?> GetWorkflowAsync(string workflowId, CancellationToken cancellationToken)
    {
        using var timeout = Deadline(ReadTimeout, cancellationToken);
        try
        {
            using var response = await http.GetAsync($"workflows/{workflowId}", timeout.Token).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                return null;
            }

            await EnsureSuccessAsync(response, timeout.Token).ConfigureAwait(false);
            return await response.Content.ReadFromJsonAsync<NodeWorkflowView>(Json, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsTransport(ex, cancellationToken))
        {
            throw Unreachable("GET /workflows/" + workflowId, ex);
        }
    }

    public Task<IReadOnlyList<NodeWorkflowView>> ListWorkflowsAsync(CancellationToken cancellationToken) =>
        GetListAsync<NodeWorkflowView>("workflows", cancellationToken);

    /// <summary>Executions newest first, optionally of one workflow.</summary>
    public Task<IReadOnlyList<NodeExecution>> ListExecutionsAsync(string? workflowId, int limit, CancellationToken cancellationToken) =>
        GetListAsync<NodeExecution>(
            workflowId is null
                ? $"executions?limit={limit.ToString(CultureInfo.InvariantCulture)}"
                : $"executions?workflow_id={Uri.EscapeDataString(workflowId)}&limit={limit.ToString(CultureInfo.InvariantCulture)}",
            cancellationToken);

    /// <summary>Fires the workflow's cron trigger on this node as if scheduled at <paramref name="scheduledTime"/>.</summary>
    public async Task<NodeFireResult> FireAsync(string workflowId, DateTimeOffset scheduledTime, CancellationToken cancellationToken)
    {
        using var timeout = Deadline(FireTimeout, cancellationToken);
        var path = $"workflows/{workflowId}/fire?scheduledTime={Uri.EscapeDataString(scheduledTime.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture))}";
        try
        {
            using var response = await http.PostAsync(path, content: null, timeout.Token).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(timeout.Token).ConfigureAwait(false);
            return ReadFireAnswer(response.StatusCode, body);
        }
        catch (Exception ex) when (IsTransport(ex, cancellationToken))
        {
            return new NodeFireResult(Name, NodeFireStatus.Unreachable, null, null,
                ex is OperationCanceledException ? $"no answer within {FireTimeout.TotalSeconds:0} s" : ex.Message);
        }
    }

    private NodeFireResult ReadFireAnswer(HttpStatusCode status, string body)
    {
        JsonElement json = default;
        try
        {
            json = JsonDocument.Parse(body).RootElement;
        }
        catch (JsonException)
        {
            // Not JSON: the body is reported as it is.
        }

        string? Text(string property) =>
            json.ValueKind == JsonValueKind.Object && json.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

        var detail = Text("detail") ?? Text("title") ?? (body.Length > 500 ? body[..500] : body);
        return status switch
        {
            HttpStatusCode.Accepted => new NodeFireResult(Name, NodeFireStatus.Started, Text("executionId"), Text("triggerEventId"), "execution started"),
            HttpStatusCode.Conflict => new NodeFireResult(Name, NodeFireStatus.Duplicate, Text("executionId"), Text("triggerEventId"), detail, Text("reason")),
            HttpStatusCode.NotFound => new NodeFireResult(Name, NodeFireStatus.NotActive, null, null, detail, Text("reason")),
            HttpStatusCode.ServiceUnavailable => new NodeFireResult(Name, NodeFireStatus.StillActivating, null, null, detail, Text("reason")),
            _ => new NodeFireResult(Name, NodeFireStatus.Failed, Text("executionId"), null, $"HTTP {(int)status}: {detail}", Text("reason")),
        };
    }

    private async Task<IReadOnlyList<T>> GetListAsync<T>(string path, CancellationToken cancellationToken)
    {
        using var timeout = Deadline(ReadTimeout, cancellationToken);
        try
        {
            using var response = await http.GetAsync(path, timeout.Token).ConfigureAwait(false);
            await EnsureSuccessAsync(response, timeout.Token).ConfigureAwait(false);
            return await response.Content.ReadFromJsonAsync<List<T>>(Json, timeout.Token).ConfigureAwait(false) ?? [];
        }
        catch (Exception ex) when (IsTransport(ex, cancellationToken))
        {
            throw Unreachable("GET /" + path, ex);
        }
    }

    private async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            throw new WorkflowNodeException(Name, $"node {Name} answered {(int)response.StatusCode} to {response.RequestMessage?.RequestUri?.PathAndQuery}: {body}");
        }
    }

    private WorkflowNodeException Unreachable(string request, Exception ex) => new(Name,
        ex is OperationCanceledException
            ? $"node {Name} ({http.BaseAddress}) did not answer {request} within {ReadTimeout.TotalSeconds:0} s"
            : $"node {Name} ({http.BaseAddress}) could not be reached for {request}: {ex.Message}", ex);

    private static bool IsTransport(Exception ex, CancellationToken caller) =>
        ex is HttpRequestException or JsonException || (ex is OperationCanceledException && !caller.IsCancellationRequested);

    private static CancellationTokenSource Deadline(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        source.CancelAfter(timeout);
        return source;
    }
}

/// <summary>A workflow node could not be read.</summary>
public sealed class WorkflowNodeException(string node, string message, Exception? innerException = null) : Exception(message, innerException)
{
    public string Node { get; } = node;
}
