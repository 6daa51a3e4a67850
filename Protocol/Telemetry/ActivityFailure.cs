using System.Diagnostics;

namespace CreAspire.Protocol.Telemetry;

/// <summary>How every component records a failure on its span: status Error with the message, and the exception as an event.</summary>
public static class ActivityFailure
{
    /// <summary>Marks <paramref name="activity"/> failed with <paramref name="message"/>; no-op when nobody records it.</summary>
    public static Activity? Fail(this Activity? activity, string? message)
    {
        activity?.SetStatus(ActivityStatusCode.Error, message);
        return activity;
    }

    /// <summary>Marks <paramref name="activity"/> failed with the exception's message and adds the exception event (type, message, stack).</summary>
    public static Activity? Fail(this Activity? activity, Exception exception, string? message = null)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (activity is null)
        {
            return null;
        }

        activity.SetStatus(ActivityStatusCode.Error, message ?? exception.Message);
        activity.AddException(exception);
        return activity;
    }
}
