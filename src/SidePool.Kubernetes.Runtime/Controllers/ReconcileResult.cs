namespace SidePool.Kubernetes.Runtime.Controllers;

/// <summary>What a reconcile asks for next. An exception means failure: the key is retried with rate-limited back-off.</summary>
public sealed record ReconcileResult
{
    private ReconcileResult(TimeSpan? requeueAfter)
    {
        RequeueAfter = requeueAfter;
    }

    /// <summary>Set when the key should be looked at again after this delay.</summary>
    public TimeSpan? RequeueAfter { get; }

    /// <summary>Converged; nothing more until the next event.</summary>
    public static ReconcileResult Done { get; } = new((TimeSpan?)null);

    public static ReconcileResult Requeue(TimeSpan delay) => new(delay);
}
