using System.ComponentModel.DataAnnotations;

namespace CreAspire.MockCapability.Mock;

/// <summary>How this node's mock@1.0.0 behaves (section <c>Mock</c>): test hooks for the DON's fault handling.</summary>
public sealed class MockOptions
{
    public const string SectionName = "Mock";

    /// <summary>normal | error (answer with a capability error) | delay (wait DelayMs, then answer) | different (answer differently from honest nodes).</summary>
    [RegularExpression("^(normal|error|delay|different)$", ErrorMessage = "Mock:Behavior must be normal, error, delay or different.")]
    public string Behavior { get; set; } = "normal";

    [Range(0, 600_000)]
    public int DelayMs { get; set; }
}
