using SidePool.Agent.Telemetry;
using SidePool.Contract;
using SidePool.PgBouncer.Admin;
using Xunit;

namespace SidePool.Agent.Tests;

/// <summary>
/// The arithmetic of <c>GET /load</c> (<see cref="LoadWindow"/>), fed with real PgBouncer 1.18 outputs recorded once a
/// second (Recorded/README.md says how) and with small hand-made samples. The expected figures were worked out by hand
/// from the recorded rows; each comment says how.
/// </summary>
public sealed class LoadWindowTests
{
    private static readonly long[] NoneClosed = [0, 0, 0];

    [Fact]
    public void An_overloaded_pool_of_2_with_8_clients_is_fully_used_and_its_clients_wait_about_150_ms()
    {
        var waits = new List<(double Seconds, long Count)>();
        var report = Replay("overloaded-pool-size-2.txt", waits);

        Assert.Equal(12, report.Samples);
        Assert.Equal(12, report.Seconds); // 1 .. 11005 ms, the first tick covering the second before it
        // the pool exists from the 3rd sample on (the first client came 1.5 s in): 10 samples of pool_size 2, of which
        // the 8 under load had sv_active 2 (and cl_waiting 6) and the 2 after pgbench ended had none
        Assert.Equal(16, report.ServerActive);
        Assert.Equal(20, report.ServerCapacity);
        Assert.Equal([2, 0, 0, 0, 0, 0, 0, 0, 8], report.Demand);
        // xact_count 27 when first seen (no growth that tick: no baseline), 304 at the end
        Assert.Equal(304 - 27, report.Transactions);
        // each second's Δwait_time/Δxact_count: 170, 158, 162, 167, 146, 154, 171 ms (≤ 200 ms) and 232 ms for the last 14
        Assert.Equal([0, 0, 0, 0, 0, 0, 0, 35 + 38 + 36 + 38 + 40 + 38 + 38, 14], report.WaitBuckets);
        Assert.Equal(172, report.MaxWaitMs); // the largest maxwait_us seen, 172328
        Assert.Equal(64_581_188 - 3_349_501, report.TransactionMicroseconds);
        Assert.Equal(64_266_858 - 3_647_824, report.QueryMicroseconds);
        Assert.All(VersionContract.Load.Timeouts, t => Assert.Equal(0, report.Closed[t]));

        // what the histogram got: the same transactions, each second's wait once
        Assert.Equal(report.Transactions, waits.Sum(w => w.Count));
        Assert.Equal(8, waits.Count); // 8 ticks with growth (the first saw no baseline, the last no transaction)
        Assert.Equal((8_646_633 - 2_687_599) / 1e6 / 35, waits[0].Seconds, 9);
    }

    [Fact]
    public void The_load_part_of_the_overloaded_recording_shows_a_saturated_pool()
    {
        var samples = RecordedLoad.Read("overloaded-pool-size-2.txt");
        var window = new LoadWindow();
        foreach (var (ms, observation) in samples.Take(10))
        {
            window.Record(ms, observation, NoneClosed);
        }

        var report = window.Report(samples[9].Milliseconds);

        Assert.Equal(1.0, window.Utilisation); // 8 samples under load, each with both servers linked
        Assert.Equal((double)report.ServerActive / report.ServerCapacity, window.Utilisation);
        Assert.Equal(8, Percentile(report.Demand, 0.95));
        Assert.True(WaitPercentileMs(report.WaitBuckets, 0.95) >= 100, $"wait buckets {string.Join(',', report.WaitBuckets)}");
    }

    [Fact]
    public void A_quiet_pool_with_a_pgbouncer_restart_counts_no_negative_growth_and_shows_low_use()
    {
        var report = Replay("idle-pool-size-10-with-restart.txt");

        Assert.Equal(14, report.Samples);
        Assert.Equal(14, report.Seconds);
        // 11 samples with the pool (none in the first two, none right after the restart), sv_active 1 in four of them
        Assert.Equal(4, report.ServerActive);
        Assert.Equal(110, report.ServerCapacity);
        Assert.Equal([7, 4], report.Demand);
        // growth 1+2+3+5 before the restart, then the new process's totals (1 when first seen: a new baseline), 4+2+2+3+0
        Assert.Equal(22, report.Transactions);
        Assert.Equal([22], report.WaitBuckets); // wait_time did not grow: no transaction waited
        Assert.Equal(0, report.MaxWaitMs);
        Assert.Equal((564_838 - 51_354) + (748_357 - 51_346), report.TransactionMicroseconds);
        Assert.Equal((563_192 - 51_221) + (657_028 - 51_128), report.QueryMicroseconds);
    }

    [Fact]
    public void A_total_that_went_down_without_a_missed_sample_is_a_reset_not_negative_growth()
    {
        // the same recording without the sample that saw the new process before its first client: the totals go from
        // 12 straight down to 1, as when a restart falls between two samples
        var samples = RecordedLoad.Read("idle-pool-size-10-with-restart.txt").Where(s => s.Milliseconds != 7006).ToList();
        var window = new LoadWindow();
        foreach (var (ms, observation) in samples)
        {
            window.Record(ms, observation, NoneClosed);
        }

        var report = window.Report(samples[^1].Milliseconds);

        Assert.Equal(22, report.Transactions);
        Assert.Equal((564_838 - 51_354) + (748_357 - 51_346), report.TransactionMicroseconds);
    }

    [Fact]
    public void A_new_pgbouncer_process_starts_new_baselines_even_when_its_totals_are_already_higher()
    {
        var window = new LoadWindow();
        window.Record(1000, Observation(xacts: 10, waitMicroseconds: 0), NoneClosed, epoch: 1);
        window.Record(2000, Observation(xacts: 20, waitMicroseconds: 0), NoneClosed, epoch: 1);
        window.Record(3000, Observation(xacts: 50, waitMicroseconds: 0), NoneClosed, epoch: 2); // restarted, 50 since

        Assert.Equal(10, window.Report(3000).Transactions);
    }

    [Fact]
    public void Each_second_puts_its_transactions_in_the_bucket_of_its_average_wait()
    {
        var window = new LoadWindow();
        window.Record(1000, Observation(xacts: 0, waitMicroseconds: 0), NoneClosed);
        window.Record(2000, Observation(xacts: 100, waitMicroseconds: 100 * 1_000), NoneClosed); // 1 ms each: bucket ≤1
        window.Record(3000, Observation(xacts: 110, waitMicroseconds: 100_000 + (10 * 30_000)), NoneClosed); // 30 ms: ≤50
        window.Record(4000, Observation(xacts: 111, waitMicroseconds: 400_000 + 60_000_000), NoneClosed); // 60 s: over the last bound
        window.Record(5000, Observation(xacts: 111, waitMicroseconds: 60_400_000 + 5_000), NoneClosed); // waited, none finished

        var report = window.Report(5000);

        var expected = new long[LoadMessages.WaitBucketsMs.Count + 1];
        expected[0] = 100;
        expected[5] = 10;
        expected[^1] = 1;
        Assert.Equal(expected, report.WaitBuckets);
        Assert.Equal(111, report.Transactions);
    }

    [Fact]
    public void The_window_keeps_300_seconds_and_counts_closed_clients_and_unanswered_seconds()
    {
        var window = new LoadWindow();
        for (var second = 1; second <= 400; second++)
        {
            // PgBouncer answers every other second; one client closed by idle_transaction_timeout each 10 s
            var observation = second % 2 == 0 ? Observation(xacts: second, waitMicroseconds: 0, active: 1, waiting: second >= 390 ? 2000 : 0) : null;
            window.Record(second * 1000L, observation, [second / 10, 0, second / 100]);
        }

        var report = window.Report(400_000);

        Assert.Equal(300, report.Seconds);
        Assert.Equal(150, report.Samples);
        Assert.Equal(150, report.ServerActive);
        Assert.Equal(1500, report.ServerCapacity);
        Assert.Equal(0.1, window.Utilisation);
        Assert.Equal(300, report.Transactions); // 2 per answered tick, from second 102 to 400
        Assert.Equal(30, report.Closed[VersionContract.Load.IdleTransactionTimeout]);
        Assert.Equal(0, report.Closed[VersionContract.Load.QueryWaitTimeout]);
        Assert.Equal(3, report.Closed[VersionContract.Load.ClientIdleTimeout]);
        Assert.Equal(LoadMessages.MaxDemand + 1, report.Demand.Count); // demand 2001 counts as MaxDemand
        Assert.Equal(144, report.Demand[1]);
        Assert.Equal(6, report.Demand[LoadMessages.MaxDemand]); // seconds 390, 392, .., 400

        // later, without ticks: the window empties as time passes
        Assert.Equal(0, window.Report(1_000_000).Samples);
        Assert.Equal(0, window.Utilisation);
    }

    [Fact]
    public void The_admin_console_database_is_not_counted()
    {
        var window = new LoadWindow();
        LoadObservation Admin(long xacts) => new(
            [new PoolStatus("pgbouncer", "pgbouncer", 1, 3, 0, 0, 5, 0, 0, 0, 0, 0, 0, 9, 0, "statement")],
            [new DatabaseStatsTotals("pgbouncer", xacts, xacts, 0, 0, 0, 0, 0)],
            [new DatabaseStatus("pgbouncer", "", "6432", "pgbouncer", "pgbouncer", 2, 0, "statement", 0, 0, false, false)]);
        window.Record(1000, Admin(1), NoneClosed);
        window.Record(2000, Admin(5), NoneClosed);

        var report = window.Report(2000);

        Assert.Equal(2, report.Samples);
        Assert.Equal(0, report.ServerCapacity);
        Assert.Equal(0, report.Transactions);
        Assert.Empty(report.Demand);
        Assert.Equal(0, report.MaxWaitMs);
    }

    [Fact]
    public void The_report_survives_the_wire_format()
    {
        var report = Replay("overloaded-pool-size-2.txt");

        var parsed = LoadMessages.Parse(LoadMessages.ToJson(report));

        Assert.Equal(report.WaitBuckets, parsed.WaitBuckets);
        Assert.Equal(report.Demand, parsed.Demand);
        Assert.Equal(report.Closed, parsed.Closed);
        Assert.Equal(report with { WaitBuckets = parsed.WaitBuckets, Demand = parsed.Demand, Closed = parsed.Closed }, parsed);
    }

    /// <summary>The value at or below which <paramref name="quantile"/> of the counts lie (index of a histogram).</summary>
    internal static int Percentile(IReadOnlyList<long> counts, double quantile)
    {
        var total = counts.Sum();
        long seen = 0;
        for (var i = 0; i < counts.Count; i++)
        {
            seen += counts[i];
            if (seen >= quantile * total)
            {
                return i;
            }
        }

        return counts.Count - 1;
    }

    /// <summary>The upper bound (ms) of the wait bucket holding the <paramref name="quantile"/> transaction (∞ for the last).</summary>
    internal static double WaitPercentileMs(IReadOnlyList<long> buckets, double quantile)
    {
        var i = Percentile(buckets, quantile);
        return i < LoadMessages.WaitBucketsMs.Count ? LoadMessages.WaitBucketsMs[i] : double.PositiveInfinity;
    }

    private static LoadReport Replay(string file, List<(double, long)>? waits = null) =>
        RecordedLoad.Replay(file, waits is null ? null : (s, n) => waits.Add((s, n)));

    private static LoadObservation Observation(long xacts, long waitMicroseconds, long active = 0, long waiting = 0) => new(
        [new PoolStatus("orders", "app", active, waiting, 0, 0, active, 0, 0, 0, 0, 0, 0, 0, 0, "transaction")],
        [new DatabaseStatsTotals("orders", xacts, xacts, 0, 0, xacts * 10, xacts * 5, waitMicroseconds)],
        [new DatabaseStatus("orders", "127.0.0.1", "5432", "orders", "app", 10, 0, "", 0, 1, false, false)]);
}
