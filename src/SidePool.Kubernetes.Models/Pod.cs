using System.Text.Json.Serialization;

namespace SidePool.Kubernetes.Models;

/// <summary><c>v1 Pod</c>.</summary>
public sealed record Pod : IKubernetesObject
{
    public string? ApiVersion { get; init; } = "v1";
    public string? Kind { get; init; } = "Pod";
    public ObjectMeta? Metadata { get; init; }
    public PodSpec? Spec { get; init; }
    public PodStatus? Status { get; init; }
}

/// <summary><c>v1 PodTemplateSpec</c>: the pod a workload stamps out.</summary>
public sealed record PodTemplateSpec
{
    public ObjectMeta? Metadata { get; init; }
    public PodSpec? Spec { get; init; }
}

/// <summary><c>v1 PodSpec</c>: the fields SidePool reads or writes.</summary>
public sealed record PodSpec
{
    public IReadOnlyList<Container>? InitContainers { get; init; }
    public IReadOnlyList<Container> Containers { get; init; } = [];
    public IReadOnlyList<Volume>? Volumes { get; init; }
    public string? ServiceAccountName { get; init; }
    public string? NodeName { get; init; }
    public bool? HostNetwork { get; init; }
    public string? RestartPolicy { get; init; }
    public long? TerminationGracePeriodSeconds { get; init; }
    public PodSecurityContext? SecurityContext { get; init; }
    public IReadOnlyDictionary<string, string>? NodeSelector { get; init; }
}

/// <summary><c>v1 PodSecurityContext</c>.</summary>
public sealed record PodSecurityContext
{
    public long? RunAsUser { get; init; }
    public long? RunAsGroup { get; init; }
    public bool? RunAsNonRoot { get; init; }
    public long? FsGroup { get; init; }
    public SeccompProfile? SeccompProfile { get; init; }
}

/// <summary><c>v1 SeccompProfile</c>: type is RuntimeDefault, Localhost or Unconfined.</summary>
public sealed record SeccompProfile
{
    public required string Type { get; init; }
    public string? LocalhostProfile { get; init; }
}

/// <summary><c>v1 PodStatus</c>.</summary>
public sealed record PodStatus
{
    public string? Phase { get; init; }
    public IReadOnlyList<PodCondition>? Conditions { get; init; }
    public string? Message { get; init; }
    public string? Reason { get; init; }
    public string? HostIP { get; init; }
    public string? PodIP { get; init; }
    public DateTimeOffset? StartTime { get; init; }
    public IReadOnlyList<ContainerStatus>? InitContainerStatuses { get; init; }
    public IReadOnlyList<ContainerStatus>? ContainerStatuses { get; init; }
}

/// <summary><c>v1 PodCondition</c>.</summary>
public sealed record PodCondition
{
    public required string Type { get; init; }
    public required string Status { get; init; }
    public DateTimeOffset? LastProbeTime { get; init; }
    public DateTimeOffset? LastTransitionTime { get; init; }
    public string? Reason { get; init; }
    public string? Message { get; init; }
}

/// <summary><c>v1 ContainerStatus</c>.</summary>
public sealed record ContainerStatus
{
    public required string Name { get; init; }
    public bool Ready { get; init; }
    public int RestartCount { get; init; }
    public string Image { get; init; } = string.Empty;
    public string ImageID { get; init; } = string.Empty;
    public string? ContainerID { get; init; }
    public bool? Started { get; init; }
    public ContainerState? State { get; init; }
    public ContainerState? LastState { get; init; }
}

/// <summary><c>v1 ContainerState</c>: exactly one member is set.</summary>
public sealed record ContainerState
{
    public ContainerStateWaiting? Waiting { get; init; }
    public ContainerStateRunning? Running { get; init; }
    public ContainerStateTerminated? Terminated { get; init; }
}

/// <summary><c>v1 ContainerStateWaiting</c>.</summary>
public sealed record ContainerStateWaiting
{
    public string? Reason { get; init; }
    public string? Message { get; init; }
}

/// <summary><c>v1 ContainerStateRunning</c>.</summary>
public sealed record ContainerStateRunning
{
    public DateTimeOffset? StartedAt { get; init; }
}

/// <summary><c>v1 ContainerStateTerminated</c>.</summary>
public sealed record ContainerStateTerminated
{
    public int ExitCode { get; init; }
    public int? Signal { get; init; }
    public string? Reason { get; init; }
    public string? Message { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
    [JsonPropertyName("containerID")]
    public string? ContainerId { get; init; }
}
