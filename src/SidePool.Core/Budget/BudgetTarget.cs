using System.Globalization;

namespace SidePool.Core;

/// <summary>The share every managed pod should run with, or why there is none.</summary>
public sealed record BudgetTarget
{
    /// <summary>Server connections per entry for each managed pod; null when it would be below 1.</summary>
    public int? Share { get; init; }

    /// <summary>Pods that will run: workloads at their maximum, terminating pods, pods without a known workload.</summary>
    public int Pods { get; init; }

    /// <summary>Of <see cref="Pods"/>, the unmanaged ones, counted at their worst case.</summary>
    public int Unmanaged { get; init; }

    /// <summary>The budget left for managed pods once the unmanaged ones are counted.</summary>
    public int Available { get; init; }

    public int Entries { get; init; }

    /// <summary>Why <see cref="Share"/> is null (numbers named), for the BudgetExceeded condition.</summary>
    public string? Problem { get; init; }

    /// <summary>
    /// s = min(size + reserve, floor((B - unmanaged worst cases) / (managed pods that will run x entries))). The
    /// number of pods is the most that can run at once: every workload at <see cref="BudgetWorkload.MaxPods"/>, plus
    /// terminating pods (until they are gone), plus running pods whose owner is no known workload, and never fewer
    /// than the pods that exist. Entries is the largest over the versions that run.
    /// </summary>
    public static BudgetTarget Compute(int budget, int cap, int entries, IReadOnlyList<BudgetWorkload> workloads, IReadOnlyList<BudgetPod> pods)
    {
        entries = Math.Max(entries, pods.Count == 0 ? 1 : pods.Max(p => p.Entries));
        var known = workloads.Select(w => w.Ref).ToHashSet();
        var counted = workloads.Sum(w => Math.Max(0, w.MaxPods))
            + pods.Count(p => p.Terminating)
            + pods.Count(p => !p.Terminating && !known.Contains(p.Owner));
        var total = Math.Max(counted, pods.Count);
        var unmanaged = pods.Where(p => !p.Managed).ToList();
        var available = budget - unmanaged.Sum(p => p.Cap * p.Entries);
        var managed = total - unmanaged.Count;
        if (managed <= 0)
        {
            return new BudgetTarget { Share = cap, Pods = total, Unmanaged = unmanaged.Count, Available = available, Entries = entries };
        }

        var raw = available < 0 ? -1 : available / (managed * entries);
        if (raw < 1)
        {
            var why = unmanaged.Count > 0
                ? string.Create(CultureInfo.InvariantCulture, $"budget {budget} minus {unmanaged.Count} unmanaged pods at their worst case ({budget - available}) leaves {available} for {managed} pods x {entries} entries: a share below 1")
                : string.Create(CultureInfo.InvariantCulture, $"budget {budget} for {managed} pods x {entries} entries is a share below 1 server connection");
            return new BudgetTarget { Share = null, Pods = total, Unmanaged = unmanaged.Count, Available = available, Entries = entries, Problem = why };
        }

        return new BudgetTarget { Share = Math.Min(cap, raw), Pods = total, Unmanaged = unmanaged.Count, Available = available, Entries = entries };
    }
}
