namespace SidePool.Core;

/// <summary>What the rollout needs: pod-template annotations to patch, and owners that cannot be restarted.</summary>
public sealed record RolloutPlan
{
    public IReadOnlyList<TemplateStamp> Stamps { get; init; } = [];

    /// <summary>Jobs, CronJobs, bare pods and other owners with outdated or missing pods: reported, not restarted.</summary>
    public IReadOnlyList<WorkloadRef> NotRestartable { get; init; } = [];
}

/// <summary>Annotations to merge into one workload's pod template.</summary>
public sealed record TemplateStamp(WorkloadRef Workload, IReadOnlyDictionary<string, string> Annotations, bool Repair);
