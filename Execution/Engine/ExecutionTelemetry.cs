using System.Diagnostics;

namespace CreAspire.Execution.Engine;

/// <summary>OpenTelemetry source of the engine: one span per execution ("workflow.execute") and per subscribe.</summary>
public static class ExecutionTelemetry
{
    public const string SourceName = "CreAspire.Execution";

    public static ActivitySource Source { get; } = new(SourceName);
}
