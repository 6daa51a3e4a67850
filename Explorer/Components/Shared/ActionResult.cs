namespace CreAspire.Explorer.Components.Shared;

/// <summary>What the last action on a page did: a title, whether it was done everywhere, a per-node table, or an error.</summary>
public sealed record ActionResult(string Title, bool Succeeded, IReadOnlyList<ActionNodeRow> Nodes, string? Error = null, string? Link = null);

/// <summary>One node's line in an action's outcome.</summary>
public sealed record ActionNodeRow(string Node, string State, string Detail);
