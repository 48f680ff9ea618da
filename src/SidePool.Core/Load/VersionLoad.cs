using SidePool.Api;
using SidePool.Contract;

namespace SidePool.Core;

/// <summary>
/// The <see cref="LoadReport"/>s of one version's pods added up (sums stay sums, histograms add bucket by bucket), and
/// what status shows of them: percentiles, utilisation, the idle-in-transaction share, closed clients.
/// </summary>
public sealed record VersionLoad
{
    /// <summary>Pods whose report is included.</summary>
    public int Pods { get; init; }

    /// <summary>Seconds of measurements, summed over the pods.</summary>
    public long Seconds { get; init; }

    public long ServerActive { get; init; }

    public long ServerCapacity { get; init; }

    public long Transactions { get; init; }

    /// <summary>Transactions per wait bucket (<see cref="LoadMessages.WaitBucketsMs"/>, plus one for longer waits).</summary>
    public IReadOnlyList<long> WaitBuckets { get; init; } = [];

    /// <summary>Pool-samples per demand (<c>sv_active + cl_waiting</c>); the last index counts that or more.</summary>
    public IReadOnlyList<long> Demand { get; init; } = [];

    public long MaxWaitMs { get; init; }

    public long TransactionMicroseconds { get; init; }

    public long QueryMicroseconds { get; init; }

    public IReadOnlyDictionary<string, long> Closed { get; init; } = new Dictionary<string, long>(StringComparer.Ordinal);

    /// <summary>Adds up the reports of one version's pods.</summary>
    public static VersionLoad Merge(IReadOnlyCollection<LoadReport> reports)
    {
        var waits = new long[LoadMessages.WaitBucketsMs.Count + 1];
        var demand = new long[LoadMessages.MaxDemand + 1];
        var closed = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var report in reports)
        {
            Add(waits, report.WaitBuckets);
            Add(demand, report.Demand);
            foreach (var (timeout, count) in report.Closed)
            {
                if (VersionContract.Load.Timeouts.Contains(timeout, StringComparer.Ordinal) && count > 0)
                {
                    closed[timeout] = closed.GetValueOrDefault(timeout) + count;
                }
            }
        }

        return new VersionLoad
        {
            Pods = reports.Count,
            Seconds = reports.Sum(r => (long)Math.Max(0, r.Seconds)),
            ServerActive = reports.Sum(r => Math.Max(0, r.ServerActive)),
            ServerCapacity = reports.Sum(r => Math.Max(0, r.ServerCapacity)),
            Transactions = reports.Sum(r => Math.Max(0, r.Transactions)),
            WaitBuckets = waits,
            Demand = demand,
            MaxWaitMs = reports.Select(r => r.MaxWaitMs).DefaultIfEmpty(0).Max(),
            TransactionMicroseconds = reports.Sum(r => Math.Max(0, r.TransactionMicroseconds)),
            QueryMicroseconds = reports.Sum(r => Math.Max(0, r.QueryMicroseconds)),
            Closed = closed,
        };
    }

    /// <summary>Server connections linked to a client over the pool size PgBouncer applied; null without samples.</summary>
    public double? Utilisation => ServerCapacity > 0 ? Math.Min(1, (double)ServerActive / ServerCapacity) : null;

    /// <summary>
    /// The 95th percentile of transactions' waits, as the upper bound (ms) of the bucket it falls in; 0 when it falls
    /// in the first (at most 1 ms) or there were no transactions; the last bound when it falls beyond.
    /// </summary>
    public long WaitP95Ms
    {
        get
        {
            var index = Percentile(WaitBuckets, 0.95);
            return index <= 0 ? 0 : (long)LoadMessages.WaitBucketsMs[Math.Min(index, LoadMessages.WaitBucketsMs.Count - 1)];
        }
    }

    /// <summary>The 95th percentile of a pool's demand over pods and seconds; 0 without samples.</summary>
    public int DemandP95 => Math.Max(0, Percentile(Demand, 0.95));

    /// <summary>Percent of the servers' transaction time spent idle in transaction; 0 without transaction time.</summary>
    public int IdleInTransactionPercent => TransactionMicroseconds <= 0
        ? 0
        : (int)Math.Round(100.0 * Math.Clamp(TransactionMicroseconds - QueryMicroseconds, 0, TransactionMicroseconds) / TransactionMicroseconds);

    public long ClosedBy(string timeout) => Closed.GetValueOrDefault(timeout);

    public VersionLoadStatus ToStatus() => new()
    {
        Pods = Pods,
        Seconds = Seconds,
        Transactions = Transactions,
        WaitP95Ms = WaitP95Ms,
        ServerUtilisationPercent = Utilisation is { } u ? (int)Math.Round(u * 100) : null,
        DemandP95 = DemandP95,
        IdleInTransactionPercent = IdleInTransactionPercent,
        ClosedIdleInTransaction = ClosedBy(VersionContract.Load.IdleTransactionTimeout),
        ClosedWaiting = ClosedBy(VersionContract.Load.QueryWaitTimeout),
        ClosedIdle = ClosedBy(VersionContract.Load.ClientIdleTimeout),
    };

    private static void Add(long[] into, IReadOnlyList<long> from)
    {
        for (var i = 0; i < from.Count; i++)
        {
            into[Math.Min(i, into.Length - 1)] += Math.Max(0, from[i]);
        }
    }

    /// <summary>The index of the bucket holding the given quantile; -1 when the histogram is empty.</summary>
    private static int Percentile(IReadOnlyList<long> histogram, double quantile)
    {
        var total = histogram.Sum();
        if (total == 0)
        {
            return -1;
        }

        var rank = (long)Math.Ceiling(quantile * total);
        long seen = 0;
        for (var i = 0; i < histogram.Count; i++)
        {
            seen += histogram[i];
            if (seen >= rank)
            {
                return i;
            }
        }

        return histogram.Count - 1;
    }
}
