using System.Globalization;
using SidePool.Api;

namespace SidePool.Core;

/// <summary>
/// Sizing advice for <c>pool.size</c> from what the current version's agents measured (docs/recommendations.md). The
/// rules, in order:
/// <list type="number">
/// <item>fewer than <see cref="MinSeconds"/> seconds or <see cref="MinTransactions"/> transactions measured: no advice yet;</item>
/// <item>clients waited (p95 ≥ <see cref="WaitThresholdMs"/> ms) or gave up (query_wait_timeout): raise to
/// max(size + 1, ⌈p95 demand × <see cref="Headroom"/>⌉), no higher than the budget allows; when the budget already
/// binds, say what backend.maxConnections would have to be;</item>
/// <item>servers busy at most <see cref="LowUtilisation"/> and nobody waited: lower to max(1, minSize, ⌈p95 demand ×
/// <see cref="Headroom"/>⌉) when that is smaller;</item>
/// <item>otherwise the size fits.</item>
/// </list>
/// Demand is <c>sv_active + cl_waiting</c> per pool and second: what the pool used plus what it would have used.
/// </summary>
public static class Recommender
{
    public const int MinSeconds = 60;
    public const int MinTransactions = 100;
    public const int WaitThresholdMs = 20;
    public const double LowUtilisation = 0.3;
    public const double Headroom = 1.25;

    /// <param name="pool">The pool settings the version runs with.</param>
    /// <param name="version">The version measured.</param>
    /// <param name="load">What its agents measured; null when none answered.</param>
    /// <param name="budget">The live budget's target, when the pool has a budget.</param>
    /// <param name="maxConnections">backend.maxConnections, when set.</param>
    public static Recommendation Recommend(PoolSettings pool, string version, VersionLoad? load, BudgetTarget? budget, int? maxConnections)
    {
        var size = pool.Size;
        var allows = BudgetAllows(pool, budget);
        if (load is null)
        {
            return new(Recommendation.NotEnoughData, size, null, allows, $"no agent of version {version} has reported measurements yet");
        }

        if (load.Seconds < MinSeconds || load.Transactions < MinTransactions)
        {
            return new(Recommendation.NotEnoughData, size, null, allows, Invariant($"not enough measurements yet: {load.Seconds} s over {Pods(load.Pods)}, {load.Transactions} transactions (advice after {MinSeconds} s and {MinTransactions} transactions)"));
        }

        var wait = load.WaitP95Ms;
        var busy = Percent(load.Utilisation);
        var gaveUp = load.ClosedBy(SidePool.Contract.VersionContract.Load.QueryWaitTimeout);
        var fromDemand = (int)Math.Ceiling(load.DemandP95 * Headroom);
        var waited = Invariant($"clients waited p95 {Ms(wait)} at {busy}% server utilisation") + (gaveUp > 0 ? Invariant($" and {gaveUp} gave up after pool.acquisitionTimeout") : "");
        if (wait >= WaitThresholdMs || gaveUp > 0)
        {
            var want = Math.Min(10_000, Math.Max(size + 1, fromDemand));
            if (allows is { } most && want > most)
            {
                if (most > size)
                {
                    return new(Recommendation.RaisePoolSize, size, most, allows, Invariant($"{waited}: raise pool.size to {most}, the most backend.maxConnections {maxConnections} allows for {Pods(budget!.Pods)} (demand suggests {want})"));
                }

                var needed = Needed(pool, budget!, maxConnections ?? 0, want);
                return new(Recommendation.BudgetLimited, size, null, allows, Invariant($"{waited}, and backend.maxConnections {maxConnections} allows pool.size {Math.Max(0, most)} for {Pods(budget!.Pods)}: raise backend.maxConnections to {needed} for pool.size {want}, or run fewer pods"));
            }

            return new(Recommendation.RaisePoolSize, size, want, allows, Invariant($"{waited}: raise pool.size to {want}") + (allows is { } a ? Invariant($" (budget allows {a})") : ""));
        }

        if (load.Utilisation is { } utilisation && utilisation <= LowUtilisation)
        {
            var lower = Math.Max(1, Math.Max(pool.MinSize, fromDemand));
            if (lower < size)
            {
                return new(Recommendation.LowerPoolSize, size, lower, allows, Invariant($"servers idle {100 - busy}%: lower pool.size to {lower} (95% of the time a pod's pool used at most {load.DemandP95}; clients waited p95 {Ms(wait)})"));
            }
        }

        return new(Recommendation.Keep, size, null, allows, Invariant($"pool.size {size} fits: clients waited p95 {Ms(wait)}, servers busy {busy}%"));
    }

    /// <summary>
    /// The largest pool.size whose share fits the budget for the pods that will run: ⌊available / (managed pods ×
    /// entries)⌋ − reserve; null without a budget.
    /// </summary>
    public static int? BudgetAllows(PoolSettings pool, BudgetTarget? budget)
    {
        if (budget is null)
        {
            return null;
        }

        var managed = budget.Pods - budget.Unmanaged;
        return managed <= 0 ? null : Math.Max(0, budget.Available) / (managed * Math.Max(1, budget.Entries)) - pool.ReserveSize;
    }

    /// <summary>The backend.maxConnections that lets every managed pod run <paramref name="size"/> (plus reserve) per entry.</summary>
    private static int Needed(PoolSettings pool, BudgetTarget budget, int maxConnections, int size) =>
        maxConnections - budget.Available + (size + pool.ReserveSize) * (budget.Pods - budget.Unmanaged) * Math.Max(1, budget.Entries);

    private static int Percent(double? ratio) => ratio is { } r ? (int)Math.Round(r * 100) : 0;

    private static string Ms(long ms) => ms == 0 ? "< 1 ms" : Invariant($"{ms} ms");

    private static string Pods(int n) => n == 1 ? "1 pod" : Invariant($"{n} pods");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
