using CreAspire.Explorer.Sources;
using Microsoft.AspNetCore.Components;

namespace CreAspire.Explorer.Components.Shared;

/// <summary>A page that re-renders with every new snapshot while it is open.</summary>
public abstract class LivePage : ComponentBase, IDisposable
{
    [Inject]
    protected ExplorerState State { get; set; } = null!;

    protected ExplorerSnapshot Snapshot { get; private set; } = ExplorerSnapshot.Empty;

    protected override void OnInitialized()
    {
        Snapshot = State.Current;
        OnSnapshot();
        State.Changed += OnChanged;
    }

    /// <summary>Called (on the renderer's context) whenever <see cref="Snapshot"/> was replaced, before rendering.</summary>
    protected virtual void OnSnapshot()
    {
    }

    private void OnChanged(ExplorerSnapshot snapshot) => _ = InvokeAsync(() =>
    {
        Snapshot = snapshot;
        OnSnapshot();
        StateHasChanged();
    });

    public void Dispose()
    {
        State.Changed -= OnChanged;
        GC.SuppressFinalize(this);
    }
}
