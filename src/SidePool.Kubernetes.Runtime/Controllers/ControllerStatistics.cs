namespace SidePool.Kubernetes.Runtime.Controllers;

/// <summary>Counters a controller keeps.</summary>
public sealed class ControllerStatistics
{
    private long _reconciles;
    private long _succeeded;
    private long _conflicts;
    private long _failures;

    public long Reconciles => Interlocked.Read(ref _reconciles);
    public long Succeeded => Interlocked.Read(ref _succeeded);
    /// <summary>409 Conflict: retried, not counted as failures.</summary>
    public long Conflicts => Interlocked.Read(ref _conflicts);
    public long Failures => Interlocked.Read(ref _failures);

    internal void Reconcile() => Interlocked.Increment(ref _reconciles);
    internal void Succeed() => Interlocked.Increment(ref _succeeded);
    internal void Conflict() => Interlocked.Increment(ref _conflicts);
    internal void Fail() => Interlocked.Increment(ref _failures);

    public override string ToString() => $"reconciles={Reconciles} succeeded={Succeeded} conflicts={Conflicts} failures={Failures}";
}
