namespace SidePool.Kubernetes.Models;

/// <summary><c>apps/v1 DaemonSet</c>.</summary>
public sealed record DaemonSet : IKubernetesObject
{
    public string? ApiVersion { get; init; } = "apps/v1";
    public string? Kind { get; init; } = "DaemonSet";
    public ObjectMeta? Metadata { get; init; }
    public DaemonSetSpec? Spec { get; init; }
    public DaemonSetStatus? Status { get; init; }
}

/// <summary><c>apps/v1 DaemonSetSpec</c>.</summary>
public sealed record DaemonSetSpec
{
    public required LabelSelector Selector { get; init; }
    public required PodTemplateSpec Template { get; init; }
    public int? MinReadySeconds { get; init; }
    public int? RevisionHistoryLimit { get; init; }
}

/// <summary><c>apps/v1 DaemonSetStatus</c>.</summary>
public sealed record DaemonSetStatus
{
    public int CurrentNumberScheduled { get; init; }
    public int NumberMisscheduled { get; init; }
    public int DesiredNumberScheduled { get; init; }
    public int NumberReady { get; init; }
    public int? UpdatedNumberScheduled { get; init; }
    public int? NumberAvailable { get; init; }
    public int? NumberUnavailable { get; init; }
    public long? ObservedGeneration { get; init; }
    public IReadOnlyList<WorkloadCondition>? Conditions { get; init; }
}
