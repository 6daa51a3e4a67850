using System.Text;

namespace CreAspire.Hosting.Orchestration;

/// <summary>A plain-text dump of every resource's state and last log lines (for test failures).</summary>
internal static class ResourceReport
{
    public static string Describe(ResourceNotificationService notifications, ResourceLoggerService? logs, int logLines)
    {
        var text = new StringBuilder();
        foreach (var s in notifications.GetSnapshots())
        {
            text.Append(System.Globalization.CultureInfo.InvariantCulture,
                $"{s.Name} [{s.Kind}] {s.State}{ResourceNotificationService.Reason(s)} pid={s.Pid} endpoints={string.Join(',', s.Endpoints)}\n");
            if (logs is null)
            {
                continue;
            }

            foreach (var line in logs.GetLastLines(s.Name, logLines))
            {
                text.Append("    ").Append(line).Append('\n');
            }
        }

        return text.ToString();
    }
}
