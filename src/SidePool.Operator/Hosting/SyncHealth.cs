using SidePool.Operator.Controller;

namespace SidePool.Operator.Hosting;

/// <summary>
/// Whether this replica's controller can sync, across leadership terms: set when a term ends because an informer met a
/// persistent error, cleared once that resource can be listed again. <c>/healthz</c> and <c>/readyz</c> fail while it
/// is set.
/// </summary>
public sealed class SyncHealth
{
    private volatile ControllerNotSyncingException? _problem;

    /// <summary>The unsolved problem, if any.</summary>
    public ControllerNotSyncingException? Problem => _problem;

    /// <summary>One line for the probes, e.g. <c>not syncing: forbidden to list secrets in all namespaces (RBAC: …)</c>.</summary>
    public string? Reason => _problem is { } problem ? problem.Message : null;

    /// <summary>Records <paramref name="problem"/>; true when it is new (not the one already recorded), i.e. worth a log line.</summary>
    public bool Report(ControllerNotSyncingException problem)
    {
        var previous = Interlocked.Exchange(ref _problem, problem);
        return previous is null || previous.Message != problem.Message;
    }

    /// <summary>Forgets the problem; true if there was one.</summary>
    public bool Clear() => Interlocked.Exchange(ref _problem, null) is not null;
}
