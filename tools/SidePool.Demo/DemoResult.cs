namespace SidePool.Demo;

/// <summary>What a demo run saw: every app transaction, the versions, the server connections and the final state.</summary>
internal sealed record DemoResult
{
    public required long Committed { get; init; }

    public required long Failed { get; init; }

    public required IReadOnlyList<(string Pod, DateTimeOffset Time, string Error)> Failures { get; init; }

    /// <summary>App pods that reported, and whether each reported its final counts (it was stopped cleanly).</summary>
    public required IReadOnlyDictionary<string, bool> Pods { get; init; }

    /// <summary>The pool version the app started on and the one the restart-only change rolled out.</summary>
    public required string FirstVersion { get; init; }

    public required string SecondVersion { get; init; }

    /// <summary>The pool size change and the password rotation kept every pod (reloads in place).</summary>
    public required bool ReloadedInPlace { get; init; }

    /// <summary>The first version's state at the end (Retired after its pods drained).</summary>
    public required string? FirstVersionState { get; init; }

    /// <summary>Pods per version as the pool's status reports them, and as the pods' own stamps say, at the end.</summary>
    public required IReadOnlyDictionary<string, int> StatusPodsPerVersion { get; init; }

    public required IReadOnlyDictionary<string, int> PodsPerVersion { get; init; }

    /// <summary><c>kubectl get pools -A</c> at the end.</summary>
    public required string GetPools { get; init; }

    /// <summary>Most server connections PostgreSQL held for the app's database at once (sampled every 250 ms).</summary>
    public required int PeakServerConnections { get; init; }

    /// <summary>The pool's <c>backend.maxConnections</c> and the most its status claimed it could open.</summary>
    public required int Budget { get; init; }

    public required int PeakStatusTotal { get; init; }

    public required string Summary { get; init; }

    public required string PlotPath { get; init; }
}
