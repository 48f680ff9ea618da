namespace SidePool.Core;

/// <summary>
/// How many pods a workload may run at once: Deployment <c>replicas + maxSurge</c> (resolved against replicas),
/// StatefulSet <c>replicas</c>, DaemonSet its current pods.
/// </summary>
public sealed record BudgetWorkload(WorkloadRef Ref, int MaxPods)
{
    /// <summary>Deployment: <c>replicas</c> plus <c>maxSurge</c> (an integer or a percentage rounded up, as the Deployment controller does; default 25%).</summary>
    public static BudgetWorkload Deployment(string name, int replicas, string? maxSurge, bool recreate = false)
    {
        var surge = recreate ? 0 : Surge(replicas, maxSurge ?? "25%");
        return new BudgetWorkload(new WorkloadRef(WorkloadRef.Deployment, name), replicas + surge);
    }

    public static int Surge(int replicas, string maxSurge)
    {
        if (maxSurge.EndsWith('%') && int.TryParse(maxSurge[..^1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var percent))
        {
            return (int)Math.Ceiling(replicas * percent / 100.0);
        }

        return int.TryParse(maxSurge, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var count) ? count : 0;
    }
}
