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

    [Description("Sizing advice for the current version from its pods' measurements (see docs/recommendations.md); kubectl sidepool recommend prints it.")]
    public RecommendationStatus? Recommendation { get; set; }

    [Description("Ready, Progressing, Degraded, Conflict, BudgetExceeded, ClientsStuck (metav1.Condition).")]
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

    [Description("What the version's agents measured over their last minutes (a sample of its ready pods).")]
    public VersionLoadStatus? Load { get; set; }
}

[Description("What a version's agents measured over their sliding window (docs/recommendations.md).")]
public sealed record VersionLoadStatus
{
    [Description("Pods whose agent answered.")]
    public int? Pods { get; set; }

    [Description("Seconds of measurements, summed over those pods.")]
    public long? Seconds { get; set; }

    [Description("Transactions in the window.")]
    public long? Transactions { get; set; }

    [Description("95th percentile of the time clients waited for a server connection, in milliseconds (estimated per second; 0 = under 1 ms).")]
    public long? WaitP95Ms { get; set; }

    [Description("Server connections linked to a client, in percent of the pool size PgBouncer applies.")]
    public int? ServerUtilisationPercent { get; set; }

    [Description("95th percentile over pods and seconds of the servers a pool used or clients waited for (sv_active + cl_waiting).")]
    public int? DemandP95 { get; set; }

    [Description("Of the time servers spent in transactions, the percent spent idle in transaction (the client sent nothing).")]
    public int? IdleInTransactionPercent { get; set; }

    [Description("Clients closed in the window by idle_transaction_timeout.")]
    public long? ClosedIdleInTransaction { get; set; }

    [Description("Clients closed in the window by query_wait_timeout (pool.acquisitionTimeout).")]
    public long? ClosedWaiting { get; set; }

    [Description("Clients closed in the window by client_idle_timeout.")]
    public long? ClosedIdle { get; set; }
}

[Description("Sizing advice for pool.size (docs/recommendations.md).")]
public sealed record RecommendationStatus
{
    [Description("The version measured (the current one).")]
    public string? Version { get; set; }

    [Description("RaisePoolSize, LowerPoolSize, BudgetLimited, Keep or NotEnoughData.")]
    public string? Reason { get; set; }

    [Description("pool.size the pods run with.")]
    public int? PoolSize { get; set; }

    [Description("The suggested pool.size (absent when there is nothing to change or not enough data).")]
    public int? SuggestedPoolSize { get; set; }

    [Description("The largest pool.size backend.maxConnections allows for the pods that will run (absent without a budget).")]
    public int? BudgetAllows { get; set; }

    [Description("The advice in one sentence, with the numbers it rests on.")]
    public string? Message { get; set; }

    [Description("When this advice (reason and suggested size) was first given.")]
    public DateTimeOffset? Since { get; set; }
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

[Description("Server connections the pool's pods may open against budget (backend.maxConnections): perPod x pods without a budget; with one, the live split (see docs/budget.md).")]
public sealed record ServerConnectionsStatus
{
    [Description("Worst case of one pod: (pool.size + pool.reserveSize) x database entries.")]
    public int? PerPod { get; set; }

    [Description("Injected pods (terminating ones included).")]
    public int? Pods { get; set; }

    [Description("What the pods may open now: perPod x pods without a budget; with one, the sum of acknowledged shares (unmanaged or unanswered pods at their worst case).")]
    public int? Total { get; set; }

    [Description("backend.maxConnections.")]
    public int? Budget { get; set; }

    [Description("The share of the budget each managed pod runs with, per database entry (absent when below 1 or without a budget).")]
    public int? Share { get; set; }

    [Description("Pods the share was computed for: workloads at replicas + maxSurge, terminating pods, pods without a known workload.")]
    public int? PlannedPods { get; set; }

    [Description("Managed pods admitted (their agent runs a share).")]
    public int? Admitted { get; set; }

    [Description("Managed pods not admitted yet (PgBouncer stays paused, clients wait) or whose agent has not answered.")]
    public int? Pending { get; set; }

    [Description("Pods the operator cannot manage (versions from before the budget), counted at their worst case.")]
    public int? Unmanaged { get; set; }
}
