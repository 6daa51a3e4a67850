using CreAspire.Execution.Triggers;
using CreAspire.WorkflowNode.Apis;

namespace CreAspire.WorkflowNode.Runtime;

/// <summary>
/// "Fire now" through the cron trigger. The execution runs in the background: a confidential execution only completes
/// once F+1 workflow nodes have asked the enclave, so the caller must be able to fire every node before any finishes.
/// </summary>
public sealed class CronFireHook(CronTrigger cron, IHostApplicationLifetime lifetime, ILogger<CronFireHook> logger) : IWorkflowFireHook
{
    public Task<string?> FireAsync(string workflowId, DateTimeOffset scheduledTime, CancellationToken cancellationToken)
    {
        var triggerId = $"trigger_reg_{workflowId}_0";
        if (!cron.TriggerIds.Contains(triggerId))
        {
            return Task.FromResult<string?>(null);
        }

        _ = Task.Run(async () =>
        {
            try
            {
                await cron.FireNowAsync(workflowId, scheduledTime, lifetime.ApplicationStopping);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogError(ex, "Fire-now of workflow {WorkflowId} at {Scheduled:O} failed", workflowId, scheduledTime);
            }
        }, CancellationToken.None);
        return Task.FromResult<string?>(CronTrigger.EventFor(triggerId, scheduledTime).EventId);
    }
}
