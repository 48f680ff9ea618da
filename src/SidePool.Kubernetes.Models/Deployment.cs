namespace SidePool.Kubernetes.Models;

/// <summary><c>apps/v1 Deployment</c>.</summary>
public sealed record Deployment : IKubernetesObject
{
    public string? ApiVersion { get; init; } = "apps/v1";
    public string? Kind { get; init; } = "Deployment";
    public ObjectMeta? Metadata { get; init; }
    public DeploymentSpec? Spec { get; init; }
    public DeploymentStatus? Status { get; init; }
}

/// <summary><c>apps/v1 DeploymentSpec</c>.</summary>
public sealed record DeploymentSpec
{
    public int? Replicas { get; init; }
    public required LabelSelector Selector { get; init; }
    public required PodTemplateSpec Template { get; init; }
    public DeploymentStrategy? Strategy { get; init; }
    public int? MinReadySeconds { get; init; }
    public int? RevisionHistoryLimit { get; init; }
    public bool? Paused { get; init; }
}

/// <summary><c>apps/v1 DeploymentStrategy</c>.</summary>
public sealed record DeploymentStrategy
{
    public string? Type { get; init; }
    public RollingUpdateDeployment? RollingUpdate { get; init; }
}

/// <summary><c>apps/v1 RollingUpdateDeployment</c>.</summary>
public sealed record RollingUpdateDeployment
{
    public IntOrString? MaxUnavailable { get; init; }
    public IntOrString? MaxSurge { get; init; }
}

/// <summary><c>apps/v1 DeploymentStatus</c>.</summary>
public sealed record DeploymentStatus
{
    public long? ObservedGeneration { get; init; }
    public int? Replicas { get; init; }
    public int? UpdatedReplicas { get; init; }
    public int? ReadyReplicas { get; init; }
    public int? AvailableReplicas { get; init; }
    public int? UnavailableReplicas { get; init; }
    public IReadOnlyList<DeploymentCondition>? Conditions { get; init; }
}

/// <summary><c>apps/v1 DeploymentCondition</c>.</summary>
public sealed record DeploymentCondition
{
    public required string Type { get; init; }
    public required string Status { get; init; }
    public DateTimeOffset? LastUpdateTime { get; init; }
    public DateTimeOffset? LastTransitionTime { get; init; }
    public string? Reason { get; init; }
    public string? Message { get; init; }
}
