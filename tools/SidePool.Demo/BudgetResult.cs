namespace SidePool.Demo;

/// <summary>What a budget scenario run (<see cref="BudgetRun"/>) saw.</summary>
internal sealed record BudgetResult
{
    /// <summary>The pool's <c>backend.maxConnections</c>.</summary>
    public required int Budget { get; init; }

    /// <summary>PostgreSQL's server connections for the pool's user, about every 100 ms.</summary>
    public required IReadOnlyList<ConnectionSample> Connections { get; init; }

    /// <summary>The pool status' <c>serverConnections</c>, about every 500 ms.</summary>
    public required IReadOnlyList<StatusSample> Statuses { get; init; }

    /// <summary>Every second: the app's transactions and its pods per version (terminating ones included); the steps.</summary>
    public required Timeline Timeline { get; init; }

    public required long Committed { get; init; }

    public required long Failed { get; init; }

    public required IReadOnlyList<(string Pod, DateTimeOffset Time, string Error)> Failures { get; init; }

    /// <summary>The version the app started on and the one the restart-only change rolled out.</summary>
    public required string FirstVersion { get; init; }

    public required string SecondVersion { get; init; }

    /// <summary>The first version's state at the end (Retired after its pods drained).</summary>
    public required string? FirstVersionState { get; init; }

    /// <summary>From the first sample to the last.</summary>
    public required TimeSpan Elapsed { get; init; }

    public required string Summary { get; init; }

    public required string PlotPath { get; init; }

    public required string CsvPath { get; init; }

    /// <summary>The largest PostgreSQL sample (0 when none was taken).</summary>
    public int PeakConnections => BudgetTrace.Peak(Connections)?.Connections ?? 0;

    /// <summary>The largest total the status reported (0 when none).</summary>
    public int PeakStatusTotal => Statuses.Select(s => s.Total ?? 0).DefaultIfEmpty(0).Max();

    /// <summary>The most app pods (all versions, terminating ones included) at a one-second sample.</summary>
    public int PeakPods => Timeline.Samples.Select(s => s.PodsPerVersion.Values.Sum()).DefaultIfEmpty(0).Max();

    /// <summary>One-second samples where pods of both versions were present (the rollout's overlap).</summary>
    public int OverlapSamples => Timeline.Samples.Count(s => s.PodsPerVersion.GetValueOrDefault(FirstVersion) > 0 && s.PodsPerVersion.GetValueOrDefault(SecondVersion) > 0);
}
