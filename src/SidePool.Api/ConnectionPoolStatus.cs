using System.ComponentModel;

namespace SidePool.Api;

/// <summary>What the operator observed. Written only through the <c>/status</c> subresource.</summary>
[Description("ConnectionPoolStatus reports versions, targets, the server-connection budget and conditions.")]
public sealed record ConnectionPoolStatus
{
    [Description("The generation the status describes.")]
    public long? ObservedGeneration { get; set; }

    [Description("Short form of the version new pods get.")]
    public string? CurrentVersion { get; set; }

    [Description("Versions with pods, newest first, then the last few retired ones.")]
    public IReadOnlyList<PoolVersionStatus>? Versions { get; set; }

    [Description("Pods per version on one line, the current version first, then every version that still has pods (e.g. \"9f2c1e0a7b:3 41d0c2a9e1:1\"): a column of kubectl get pools.")]
    public string? PodsPerVersion { get; set; }

    [Description("Workloads and pods the pool selects.")]
    public TargetsStatus? Targets { get; set; }

    [Description("Server connections this pool may open, against backend.maxConnections.")]
    public ServerConnectionsStatus? ServerConnections { get; set; }

    [Description("Ready, Progressing, Degraded, Conflict, BudgetExceeded (metav1.Condition).")]
    public IReadOnlyList<Condition>? Conditions { get; set; }
}

[Description("One pool version.")]
public sealed record PoolVersionStatus
{
    [Description("Short form (10 hex characters) of the version hash, used in names.")]
    public string? Version { get; set; }

    [Description("Full SHA-256 version hash.")]
    public string? Hash { get; set; }

    [Description("Full SHA-256 of the rendered configuration this version currently serves.")]
    public string? ConfigRevision { get; set; }

    [Description("Current, Draining or Retired.")]
    public string? State { get; set; }

    public DateTimeOffset? CreatedAt { get; set; }

    public DateTimeOffset? DrainingSince { get; set; }

    public DateTimeOffset? RetiredAt { get; set; }

    public int? Pods { get; set; }

    public int? ReadyPods { get; set; }

    public int? TerminatingPods { get; set; }
}

[Description("Workloads and pods the pool selects.")]
public sealed record TargetsStatus
{
    public int? Workloads { get; set; }

    public int? Pods { get; set; }

    public int? Injected { get; set; }

    public int? Outdated { get; set; }

    public int? Missing { get; set; }
}

[Description("perPod x pods = total, against budget (backend.maxConnections).")]
public sealed record ServerConnectionsStatus
{
    public int? PerPod { get; set; }

    public int? Pods { get; set; }

    public int? Total { get; set; }

    public int? Budget { get; set; }
}
