using SidePool.Contract;
using SidePool.PgBouncer.Admin;

namespace SidePool.Agent.Telemetry;

/// <summary>
/// The sliding window behind <c>GET /load</c> (<see cref="LoadReport"/>), without I/O: one tick a second
/// (<see cref="Record"/>), each with what the admin console answered (or nothing, when it did not), kept for
/// <see cref="LoadMessages.WindowSeconds"/> seconds. Only the app's pools count (never the admin console's database
/// <c>pgbouncer</c>).
/// <list type="bullet">
/// <item>Per pool (SHOW POOLS row) and tick: <c>sv_active</c>, the pool size of its database (SHOW DATABASES
/// <c>pool_size</c>), demand <c>sv_active + cl_waiting</c>, and <c>maxwait</c>/<c>maxwait_us</c>.</item>
/// <item>Per database and tick, the growth of SHOW STATS_TOTALS since the previous tick: transactions, transaction and
/// query time, and the wait estimate <c>Δwait_time / Δxact_count</c> for those Δxact_count transactions. A total that
/// went down (PgBouncer restarted, or <see cref="Record"/> was told of a new <c>epoch</c>) or a database without a
/// previous tick gives no growth that tick: the totals become the new baseline.</item>
/// <item>Clients closed by the timeouts: the growth of the agent's own counts (<see cref="ClosedClients"/>).</item>
/// </list>
/// Each tick's figures are kept in a ring of reused slots: recording a tick allocates nothing once the window is full.
/// Not thread-safe: the caller serializes <see cref="Record"/> and <see cref="Report"/>.
/// </summary>
internal sealed class LoadWindow
{
    /// <summary>The admin console's database, never counted.</summary>
    public const string AdminDatabase = "pgbouncer";

    private const long WindowMilliseconds = LoadMessages.WindowSeconds * 1000L;

    private static readonly int WaitBucketCount = LoadMessages.WaitBucketsMs.Count + 1;

    private readonly Tick[] _ring = new Tick[LoadMessages.WindowSeconds + 2];
    private readonly Dictionary<string, DatabaseStatsTotals> _baselines = new(StringComparer.Ordinal);
    private readonly List<string> _gone = [];
    private readonly long[] _closedBefore = new long[VersionContract.Load.Timeouts.Count];
    private int _first;
    private int _count;
    private long? _lastTime;
    private long? _epoch;
    private long _serverActive;
    private long _serverCapacity;

    /// <summary>The window's <c>ServerActive / ServerCapacity</c> as of the last tick (0 without capacity).</summary>
    public double Utilisation => _serverCapacity > 0 ? (double)_serverActive / _serverCapacity : 0;

    /// <summary>The wait bucket (index into <see cref="LoadMessages.WaitBucketsMs"/>, or its count for longer) of a wait.</summary>
    public static int WaitBucket(double milliseconds)
    {
        var bounds = LoadMessages.WaitBucketsMs;
        for (var i = 0; i < bounds.Count; i++)
        {
            if (milliseconds <= bounds[i])
            {
                return i;
            }
        }

        return bounds.Count;
    }

    /// <summary>
    /// Records the tick at <paramref name="timeMilliseconds"/> (monotonic; not before the previous tick's):
    /// <paramref name="observation"/> is what the admin console answered (null when it did not), <paramref name="closedTotals"/>
    /// the agent's counts of closed clients so far (in the order of <see cref="VersionContract.Load.Timeouts"/>), and
    /// <paramref name="epoch"/> identifies the PgBouncer process that answered (a change drops the baselines).
    /// <paramref name="waited"/> gets each wait estimate of this tick: the wait in seconds and its transaction count.
    /// </summary>
    public void Record(long timeMilliseconds, LoadObservation? observation, ReadOnlySpan<long> closedTotals, long epoch = 0, Action<double, long>? waited = null)
    {
        Evict(timeMilliseconds);
        var tick = Push();
        tick.Time = timeMilliseconds;
        tick.Start = _lastTime ?? (timeMilliseconds - 1000);
        _lastTime = timeMilliseconds;
        for (var i = 0; i < tick.Closed.Length; i++)
        {
            var total = i < closedTotals.Length ? closedTotals[i] : 0;
            tick.Closed[i] = Math.Max(0, total - _closedBefore[i]);
            _closedBefore[i] = total;
        }

        if (observation is null)
        {
            return;
        }

        tick.Answered = true;
        if (_epoch != epoch)
        {
            _baselines.Clear();
            _epoch = epoch;
        }

        foreach (var pool in observation.Pools)
        {
            if (pool.Database == AdminDatabase)
            {
                continue;
            }

            tick.ServerActive += pool.ServerActive;
            tick.ServerCapacity += PoolSize(observation.Databases, pool.Database);
            tick.Demand.Add((int)Math.Clamp(pool.ServerActive + pool.ClientWaiting, 0, LoadMessages.MaxDemand));
            tick.MaxWaitMicroseconds = Math.Max(tick.MaxWaitMicroseconds, (pool.MaxWaitSeconds * 1_000_000) + pool.MaxWaitMicroseconds);
        }

        _serverActive += tick.ServerActive;
        _serverCapacity += tick.ServerCapacity;

        _gone.Clear();
        foreach (var database in _baselines.Keys)
        {
            if (!Contains(observation.Totals, database))
            {
                _gone.Add(database);
            }
        }

        foreach (var database in _gone)
        {
            _baselines.Remove(database);
        }

        foreach (var totals in observation.Totals)
        {
            if (totals.Database == AdminDatabase)
            {
                continue;
            }

            var known = _baselines.TryGetValue(totals.Database, out var before);
            _baselines[totals.Database] = totals;
            if (!known
                || totals.TransactionCount < before!.TransactionCount
                || totals.WaitTimeMicroseconds < before.WaitTimeMicroseconds
                || totals.TransactionTimeMicroseconds < before.TransactionTimeMicroseconds
                || totals.QueryTimeMicroseconds < before.QueryTimeMicroseconds)
            {
                continue; // no baseline yet, or PgBouncer's totals started over: no growth this tick
            }

            var transactions = totals.TransactionCount - before.TransactionCount;
            tick.Transactions += transactions;
            tick.TransactionMicroseconds += totals.TransactionTimeMicroseconds - before.TransactionTimeMicroseconds;
            tick.QueryMicroseconds += totals.QueryTimeMicroseconds - before.QueryTimeMicroseconds;
            if (transactions > 0)
            {
                var waitMilliseconds = (totals.WaitTimeMicroseconds - before.WaitTimeMicroseconds) / 1000.0 / transactions;
                tick.Wait[WaitBucket(waitMilliseconds)] += transactions;
                waited?.Invoke(waitMilliseconds / 1000, transactions);
            }
        }
    }

    /// <summary>The report of the ticks within the window ending at <paramref name="nowMilliseconds"/>.</summary>
    public LoadReport Report(long nowMilliseconds)
    {
        Evict(nowMilliseconds);
        if (_count == 0)
        {
            return new LoadReport { Closed = ClosedMap(new long[_closedBefore.Length]) };
        }

        var wait = new long[WaitBucketCount];
        var demand = new long[LoadMessages.MaxDemand + 1];
        var closed = new long[_closedBefore.Length];
        long transactions = 0, transactionMicroseconds = 0, queryMicroseconds = 0, maxWait = 0;
        var samples = 0;
        for (var n = 0; n < _count; n++)
        {
            var tick = _ring[(_first + n) % _ring.Length];
            for (var i = 0; i < closed.Length; i++)
            {
                closed[i] += tick.Closed[i];
            }

            if (!tick.Answered)
            {
                continue;
            }

            samples++;
            transactions += tick.Transactions;
            transactionMicroseconds += tick.TransactionMicroseconds;
            queryMicroseconds += tick.QueryMicroseconds;
            maxWait = Math.Max(maxWait, tick.MaxWaitMicroseconds);
            for (var i = 0; i < wait.Length; i++)
            {
                wait[i] += tick.Wait[i];
            }

            foreach (var d in tick.Demand)
            {
                demand[d]++;
            }
        }

        var oldest = _ring[_first];
        var newest = _ring[(_first + _count - 1) % _ring.Length];
        return new LoadReport
        {
            Seconds = (int)Math.Min(LoadMessages.WindowSeconds, Math.Round((newest.Time - oldest.Start) / 1000.0)),
            Samples = samples,
            ServerActive = _serverActive,
            ServerCapacity = _serverCapacity,
            Transactions = transactions,
            WaitBuckets = Trimmed(wait),
            Demand = Trimmed(demand),
            MaxWaitMs = maxWait / 1000,
            TransactionMicroseconds = transactionMicroseconds,
            QueryMicroseconds = queryMicroseconds,
            Closed = ClosedMap(closed),
        };
    }

    private static long PoolSize(IReadOnlyList<DatabaseStatus> databases, string database)
    {
        foreach (var status in databases)
        {
            if (status.Name == database)
            {
                return status.PoolSize;
            }
        }

        return 0;
    }

    private static bool Contains(IReadOnlyList<DatabaseStatsTotals> totals, string database)
    {
        foreach (var row in totals)
        {
            if (row.Database == database)
            {
                return true;
            }
        }

        return false;
    }

    private static long[] Trimmed(long[] counts)
    {
        var length = counts.Length;
        while (length > 0 && counts[length - 1] == 0)
        {
            length--;
        }

        return counts[..length];
    }

    private static Dictionary<string, long> ClosedMap(long[] closed)
    {
        var map = new Dictionary<string, long>(StringComparer.Ordinal);
        for (var i = 0; i < closed.Length; i++)
        {
            map[VersionContract.Load.Timeouts[i]] = closed[i];
        }

        return map;
    }

    /// <summary>Drops the ticks that ended <see cref="LoadMessages.WindowSeconds"/> or more before <paramref name="nowMilliseconds"/>.</summary>
    private void Evict(long nowMilliseconds)
    {
        while (_count > 0 && _ring[_first].Time <= nowMilliseconds - WindowMilliseconds)
        {
            Drop();
        }
    }

    private void Drop()
    {
        var tick = _ring[_first];
        _serverActive -= tick.ServerActive;
        _serverCapacity -= tick.ServerCapacity;
        _first = (_first + 1) % _ring.Length;
        _count--;
    }

    /// <summary>A cleared slot at the end of the ring (the oldest tick goes when the ring is full).</summary>
    private Tick Push()
    {
        if (_count == _ring.Length)
        {
            Drop();
        }

        var index = (_first + _count) % _ring.Length;
        var tick = _ring[index] ??= new Tick();
        tick.Clear();
        _count++;
        return tick;
    }

    /// <summary>One tick's figures (a reused slot of the ring).</summary>
    private sealed class Tick
    {
        public long Time;
        public long Start;
        public bool Answered;
        public long ServerActive;
        public long ServerCapacity;
        public long Transactions;
        public long TransactionMicroseconds;
        public long QueryMicroseconds;
        public long MaxWaitMicroseconds;

        public long[] Wait { get; } = new long[WaitBucketCount];

        public List<int> Demand { get; } = [];

        public long[] Closed { get; } = new long[VersionContract.Load.Timeouts.Count];

        public void Clear()
        {
            Time = Start = ServerActive = ServerCapacity = Transactions = TransactionMicroseconds = QueryMicroseconds = MaxWaitMicroseconds = 0;
            Answered = false;
            Array.Clear(Wait);
            Demand.Clear();
            Array.Clear(Closed);
        }
    }
}
