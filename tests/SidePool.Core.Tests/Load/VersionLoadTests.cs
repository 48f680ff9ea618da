using SidePool.Contract;
using Xunit;

namespace SidePool.Core.Tests;

public sealed class VersionLoadTests
{
    [Fact]
    public void Reports_of_several_pods_add_up_sums_and_histograms()
    {
        var load = VersionLoad.Merge(
        [
            LoadReports.Steady(seconds: 100, capacity: 10, active: 10, waiting: 4, tps: 10, waitMs: 150, closed: new Dictionary<string, long> { [VersionContract.Load.QueryWaitTimeout] = 2 }),
            LoadReports.Steady(seconds: 100, capacity: 10, active: 2, tps: 90, waitMs: 0),
        ]);

        Assert.Equal(2, load.Pods);
        Assert.Equal(200, load.Seconds);
        Assert.Equal(10_000, load.Transactions);
        Assert.Equal(0.6, load.Utilisation!.Value, 3); // (1000 + 200) / 2000
        Assert.Equal(2, load.ClosedBy(VersionContract.Load.QueryWaitTimeout));
        Assert.Equal(0, load.ClosedBy(VersionContract.Load.IdleTransactionTimeout));

        // 90% of transactions waited under 1 ms, 10% about 150 ms: the 95th percentile is in (100, 200] ms
        Assert.Equal(200, load.WaitP95Ms);

        // demand 14 in half the samples, 2 in the other half: the 95th percentile is 14
        Assert.Equal(14, load.DemandP95);
    }

    [Fact]
    public void Percentiles_of_nothing_are_zero_and_utilisation_unknown()
    {
        var load = VersionLoad.Merge([]);
        Assert.Equal(0, load.WaitP95Ms);
        Assert.Equal(0, load.DemandP95);
        Assert.Null(load.Utilisation);
        Assert.Equal(0, load.IdleInTransactionPercent);
    }

    [Fact]
    public void Waits_beyond_the_last_bound_report_the_last_bound_and_demand_beyond_the_cap_counts_in_the_last_item()
    {
        var report = LoadReports.Steady(seconds: 60, capacity: 1, active: 1, tps: 1, waitMs: 60_000) with
        {
            Demand = [.. Enumerable.Repeat(0L, LoadMessages.MaxDemand + 5), 60],
        };
        var load = VersionLoad.Merge([report]);
        Assert.Equal(30_000, load.WaitP95Ms);
        Assert.Equal(LoadMessages.MaxDemand, load.DemandP95);
    }

    [Fact]
    public void Idle_in_transaction_is_the_transaction_time_not_spent_in_queries()
    {
        var load = VersionLoad.Merge([LoadReports.Steady(seconds: 60, capacity: 4, active: 2, idleInTransaction: 0.75)]);
        Assert.Equal(75, load.IdleInTransactionPercent);
        Assert.Equal(75, load.ToStatus().IdleInTransactionPercent);
    }

    [Fact]
    public void Unknown_timeouts_and_negative_numbers_from_an_agent_are_ignored()
    {
        var report = LoadReports.Steady(seconds: 60, capacity: 4, active: 2) with
        {
            Transactions = -5,
            Closed = new Dictionary<string, long> { ["made_up_timeout"] = 3, [VersionContract.Load.ClientIdleTimeout] = -1 },
        };
        var load = VersionLoad.Merge([report]);
        Assert.Equal(0, load.Transactions);
        Assert.Empty(load.Closed);
    }

    [Fact]
    public void The_report_survives_its_wire_format()
    {
        var report = LoadReports.Steady(seconds: 30, capacity: 5, active: 3, waiting: 1, tps: 7, waitMs: 12, closed: new Dictionary<string, long> { [VersionContract.Load.IdleTransactionTimeout] = 1 });
        var parsed = LoadMessages.Parse(LoadMessages.ToJson(report));
        Assert.Equal(VersionLoad.Merge([report]) with { }, VersionLoad.Merge([parsed]), new VersionLoadComparer());
        Assert.Contains("\"closed\":{\"idle_transaction_timeout\":1}", LoadMessages.ToJson(report), StringComparison.Ordinal);
    }

    private sealed class VersionLoadComparer : IEqualityComparer<VersionLoad>
    {
        public bool Equals(VersionLoad? x, VersionLoad? y) =>
            x is not null && y is not null
            && x.ToStatus() == y.ToStatus()
            && x.WaitBuckets.SequenceEqual(y.WaitBuckets) && x.Demand.SequenceEqual(y.Demand);

        public int GetHashCode(VersionLoad obj) => obj.Transactions.GetHashCode();
    }
}
