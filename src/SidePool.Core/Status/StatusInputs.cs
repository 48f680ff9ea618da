using SidePool.Api;

namespace SidePool.Core;

/// <summary>Everything the status builder looks at. The previous status is <c>Pool.Status</c>.</summary>
public sealed record StatusInputs
{
    public required ConnectionPool Pool { get; init; }

    /// <summary>What the pool renders to now; null when it cannot render (see <see cref="Problem"/>).</summary>
    public DesiredVersion? Desired { get; init; }

    /// <summary>Why the pool cannot render: CamelCase reason and a message without secret values.</summary>
    public (string Reason, string Message)? Problem { get; init; }

    public IReadOnlyList<ObservedPod> Pods { get; init; } = [];

    /// <summary>Restartable workloads owning selected pods.</summary>
    public IReadOnlyList<WorkloadState> Workloads { get; init; } = [];

    /// <summary>Version Secrets of the pool that exist.</summary>
    public IReadOnlyList<KnownVersion> VersionSecrets { get; init; } = [];

    /// <summary>Other pools selecting some of this pool's pods.</summary>
    public IReadOnlyList<string> ConflictingPools { get; init; } = [];

    /// <summary>Owners with outdated or missing pods that are not restarted (Jobs, bare pods...).</summary>
    public IReadOnlyList<WorkloadRef> NotRestartable { get; init; } = [];

    /// <summary>The live budget step's outcome; null without a budget (or when the step did not run).</summary>
    public BudgetReport? Budget { get; init; }

    /// <summary>What the versions' agents measured (sizing advice, ClientsStuck); null when not measured (no advice, no condition).</summary>
    public PoolLoad? Load { get; init; }

    public required DateTimeOffset Now { get; init; }

    /// <summary>Current-version pods not ready for longer than this stall the rollout.</summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Retired versions kept in status.</summary>
    public int RetiredToKeep { get; init; } = 3;
}
