using System.ComponentModel;
using SidePool.Kubernetes.Models;

namespace SidePool.Api;

/// <summary>What the operator observed. Written only through the <c>/status</c> subresource.</summary>
[Description("ConnectionPoolStatus reports versions, targets, the server-connection budget and conditions.")]
public sealed record ConnectionPoolStatus
{
    [Description("The generation the status describes.")]
    public long? ObservedGeneration { get; init; }

    [Description("Short form of the version new pods get.")]
    public string? CurrentVersion { get; init; }

    [Description("Versions with pods, newest first, then the last few retired ones.")]
    public IReadOnlyList<PoolVersionStatus>? Versions { get; init; }

    [Description("Workloads and pods the pool selects.")]
    public TargetsStatus? Targets { get; init; }

    [Description("Server connections this pool may open, against backend.maxConnections.")]
    public ServerConnectionsStatus? ServerConnections { get; init; }

    [Description("Ready, Progressing, Degraded, Conflict, BudgetExceeded (metav1.Condition).")]
    public IReadOnlyList<Condition>? Conditions { get; init; }
}

[Description("One pool version.")]
public sealed record PoolVersionStatus
{
    [Description("Short form (10 hex characters) of the version hash, used in names.")]
    public string? Version { get; init; }

    [Description("Full SHA-256 version hash.")]
    public string? Hash { get; init; }

    [Description("Full SHA-256 of the rendered configuration this version currently serves.")]
    public string? ConfigRevision { get; init; }

    [Description("Current, Draining or Retired.")]
    public string? State { get; init; }

    public DateTimeOffset? CreatedAt { get; init; }

    public DateTimeOffset? DrainingSince { get; init; }

    public DateTimeOffset? RetiredAt { get; init; }

    public int? Pods { get; init; }

    public int? ReadyPods { get; init; }

    public int? TerminatingPods { get; init; }
}

[Description("Workloads and pods the pool selects.")]
public sealed record TargetsStatus
{
    public int? Workloads { get; init; }

    public int? Pods { get; init; }

    public int? Injected { get; init; }

    public int? Outdated { get; init; }

    public int? Missing { get; init; }
}

[Description("perPod x pods = total, against budget (backend.maxConnections).")]
public sealed record ServerConnectionsStatus
{
    public int? PerPod { get; init; }

    public int? Pods { get; init; }

    public int? Total { get; init; }

    public int? Budget { get; init; }
}
