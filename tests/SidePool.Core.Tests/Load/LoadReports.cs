using SidePool.Contract;

namespace SidePool.Core.Tests;

/// <summary>Synthetic agent reports: <paramref name="seconds"/> of one pool whose per-second shape is given.</summary>
internal static class LoadReports
{
    /// <param name="seconds">Samples (one a second).</param>
    /// <param name="capacity">The pool size PgBouncer applied.</param>
    /// <param name="active">sv_active every second.</param>
    /// <param name="waiting">cl_waiting every second.</param>
    /// <param name="tps">Transactions a second.</param>
    /// <param name="waitMs">Every transaction's wait.</param>
    public static LoadReport Steady(int seconds, int capacity, int active, int waiting = 0, int tps = 50, double waitMs = 0, IReadOnlyDictionary<string, long>? closed = null, double idleInTransaction = 0)
    {
        var buckets = new long[LoadMessages.WaitBucketsMs.Count + 1];
        var bucket = LoadMessages.WaitBucketsMs.TakeWhile(bound => waitMs > bound).Count();
        buckets[bucket] = (long)seconds * tps;
        var demand = new long[active + waiting + 1];
        demand[active + waiting] = seconds;
        var busy = (long)seconds * active * 1_000_000L;
        return new LoadReport
        {
            Seconds = seconds,
            Samples = seconds,
            ServerActive = (long)seconds * active,
            ServerCapacity = (long)seconds * capacity,
            Transactions = (long)seconds * tps,
            WaitBuckets = buckets,
            Demand = demand,
            MaxWaitMs = (long)waitMs,
            TransactionMicroseconds = busy,
            QueryMicroseconds = (long)(busy * (1 - idleInTransaction)),
            Closed = closed ?? new Dictionary<string, long>(),
        };
    }
}
