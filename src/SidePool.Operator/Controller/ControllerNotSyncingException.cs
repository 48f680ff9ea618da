using SidePool.Kubernetes.Runtime.Informers;

namespace SidePool.Operator.Controller;

/// <summary>
/// A term of the controller ended because one of its informers met an error retrying will not fix (e.g. 403: RBAC lacks
/// a rule). <see cref="ProbeAsync"/> lists that resource once, the same way, to tell when trying again makes sense.
/// </summary>
public sealed class ControllerNotSyncingException : Exception
{
    public ControllerNotSyncingException()
        : this("the controller's caches cannot sync")
    {
    }

    public ControllerNotSyncingException(string message)
        : base(message)
    {
        ProbeAsync = _ => Task.CompletedTask;
    }

    public ControllerNotSyncingException(string message, Exception innerException)
        : base(message, innerException)
    {
        ProbeAsync = _ => Task.CompletedTask;
    }

    public ControllerNotSyncingException(InformerSyncError error, Func<CancellationToken, Task> probe)
        : base($"not syncing: {error.Summary}", error.Error)
    {
        Error = error;
        ProbeAsync = probe;
    }

    /// <summary>What the informer met (null only for the parameterless forms).</summary>
    public InformerSyncError? Error { get; }

    /// <summary>Lists the failing resource once; throws while the cause remains.</summary>
    public Func<CancellationToken, Task> ProbeAsync { get; }
}
