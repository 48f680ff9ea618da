namespace SidePool.Kubernetes.Models;

/// <summary><c>apps/v1 ReplicaSet</c>: read to walk a pod's owners up to its Deployment.</summary>
public sealed record ReplicaSet : IKubernetesObject
{
    public string? ApiVersion { get; init; } = "apps/v1";
    public string? Kind { get; init; } = "ReplicaSet";
    public ObjectMeta? Metadata { get; init; }
    public ReplicaSetSpec? Spec { get; init; }
    public ReplicaSetStatus? Status { get; init; }
}

/// <summary><c>apps/v1 ReplicaSetSpec</c>.</summary>
public sealed record ReplicaSetSpec
{
    public int? Replicas { get; init; }
    public required LabelSelector Selector { get; init; }
    public PodTemplateSpec? Template { get; init; }
    public int? MinReadySeconds { get; init; }
}

/// <summary><c>apps/v1 ReplicaSetStatus</c>.</summary>
public sealed record ReplicaSetStatus
{
    public int Replicas { get; init; }
    public int? ReadyReplicas { get; init; }
    public int? AvailableReplicas { get; init; }
    public long? ObservedGeneration { get; init; }
    public IReadOnlyList<WorkloadCondition>? Conditions { get; init; }
}

/// <summary>The condition shape shared by ReplicaSet, StatefulSet and DaemonSet (<c>apps/v1 *Condition</c>).</summary>
public sealed record WorkloadCondition
{
    public required string Type { get; init; }
    public required string Status { get; init; }
    public DateTimeOffset? LastTransitionTime { get; init; }
    public string? Reason { get; init; }
    public string? Message { get; init; }
}
