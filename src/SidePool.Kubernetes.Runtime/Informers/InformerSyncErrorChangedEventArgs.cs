namespace SidePool.Kubernetes.Runtime.Informers;

/// <summary>The informer's persistent error appeared, changed, or (<see cref="Error"/> null) went away.</summary>
public sealed class InformerSyncErrorChangedEventArgs(InformerSyncError? error) : EventArgs
{
    /// <summary>The current error; null once a list or watch succeeds again.</summary>
    public InformerSyncError? Error { get; } = error;
}
