namespace SidePool.Kubernetes.Models;

/// <summary><c>apps/v1 StatefulSet</c>.</summary>
public sealed record StatefulSet : IKubernetesObject
{
    public string? ApiVersion { get; init; } = "apps/v1";
    public string? Kind { get; init; } = "StatefulSet";
    public ObjectMeta? Metadata { get; init; }
    public StatefulSetSpec? Spec { get; init; }
    public StatefulSetStatus? Status { get; init; }
}

/// <summary><c>apps/v1 StatefulSetSpec</c>.</summary>
public sealed record StatefulSetSpec
{
    public int? Replicas { get; init; }
    public required LabelSelector Selector { get; init; }
    public required PodTemplateSpec Template { get; init; }
    public string? ServiceName { get; init; }
    public string? PodManagementPolicy { get; init; }
    public StatefulSetUpdateStrategy? UpdateStrategy { get; init; }
}

/// <summary><c>apps/v1 StatefulSetUpdateStrategy</c>.</summary>
public sealed record StatefulSetUpdateStrategy
{
    public string? Type { get; init; }
}

/// <summary><c>apps/v1 StatefulSetStatus</c>.</summary>
public sealed record StatefulSetStatus
{
    public int Replicas { get; init; }
    public int? ReadyReplicas { get; init; }
    public int? CurrentReplicas { get; init; }
    public int? UpdatedReplicas { get; init; }
    public int? AvailableReplicas { get; init; }
    public long? ObservedGeneration { get; init; }
    public string? CurrentRevision { get; init; }
    public string? UpdateRevision { get; init; }
    public IReadOnlyList<WorkloadCondition>? Conditions { get; init; }
}
