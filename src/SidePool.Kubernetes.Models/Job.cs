namespace SidePool.Kubernetes.Models;

/// <summary><c>batch/v1 Job</c>.</summary>
public sealed record Job : IKubernetesObject
{
    public string? ApiVersion { get; init; } = "batch/v1";
    public string? Kind { get; init; } = "Job";
    public ObjectMeta? Metadata { get; init; }
    public JobSpec? Spec { get; init; }
    public JobStatus? Status { get; init; }
}

/// <summary><c>batch/v1 JobSpec</c>.</summary>
public sealed record JobSpec
{
    public required PodTemplateSpec Template { get; init; }
    public LabelSelector? Selector { get; init; }
    public int? Parallelism { get; init; }
    public int? Completions { get; init; }
    public int? BackoffLimit { get; init; }
    public long? ActiveDeadlineSeconds { get; init; }
    public int? TtlSecondsAfterFinished { get; init; }
    public bool? Suspend { get; init; }
}

/// <summary><c>batch/v1 JobStatus</c>.</summary>
public sealed record JobStatus
{
    public int? Active { get; init; }
    public int? Succeeded { get; init; }
    public int? Failed { get; init; }
    public DateTimeOffset? StartTime { get; init; }
    public DateTimeOffset? CompletionTime { get; init; }
    public IReadOnlyList<JobCondition>? Conditions { get; init; }
}

/// <summary><c>batch/v1 JobCondition</c>.</summary>
public sealed record JobCondition
{
    public required string Type { get; init; }
    public required string Status { get; init; }
    public DateTimeOffset? LastProbeTime { get; init; }
    public DateTimeOffset? LastTransitionTime { get; init; }
    public string? Reason { get; init; }
    public string? Message { get; init; }
}
