namespace SidePool.Core;

/// <summary>A restartable workload as the planner and status see it.</summary>
public sealed record WorkloadState
{
    public required WorkloadRef Ref { get; init; }

    /// <summary>Annotations of its pod template.</summary>
    public IReadOnlyDictionary<string, string> TemplateAnnotations { get; init; } = new Dictionary<string, string>();

    /// <summary>Its <c>Progressing</c> condition says <c>ProgressDeadlineExceeded</c>.</summary>
    public bool ProgressDeadlineExceeded { get; init; }

    public string? ProgressMessage { get; init; }

    /// <summary>
    /// The most pods it runs at once (the connection budget's count): Deployment <c>replicas + maxSurge</c>, StatefulSet
    /// <c>replicas</c>, DaemonSet its scheduled pods plus <c>maxSurge</c>; null when unknown.
    /// </summary>
    public int? MaxPods { get; init; }
}
