using SidePool.Api;
using SidePool.Contract;
using Xunit;

namespace SidePool.Core.Tests;

public sealed class RecommenderTests
{
    private static readonly PoolSettings Size10 = new() { Size = 10 };

    private static VersionLoad Load(params LoadReport[] reports) => VersionLoad.Merge(reports);

    [Fact]
    public void Saturated_servers_with_waiting_clients_raise_the_size_to_the_demand_with_headroom()
    {
        // every second: 10 of 10 servers busy and 4 clients waiting ~120 ms: demand 14, x 1.25 = 17.5 -> 18
        var advice = Recommender.Recommend(Size10, "v1", Load(LoadReports.Steady(120, capacity: 10, active: 10, waiting: 4, waitMs: 120)), null, null);
        Assert.Equal(Recommendation.RaisePoolSize, advice.Reason);
        Assert.Equal(18, advice.SuggestedPoolSize);
        Assert.Equal("clients waited p95 200 ms at 100% server utilisation: raise pool.size to 18", advice.Message);
    }

    [Fact]
    public void The_raise_says_what_the_budget_allows_and_never_goes_beyond_it()
    {
        // budget 100 over 5 pods, 1 entry: 20 each
        var roomy = new BudgetTarget { Share = 10, Pods = 5, Available = 100, Entries = 1 };
        var load = Load(LoadReports.Steady(120, capacity: 10, active: 10, waiting: 2, waitMs: 60));
        var advice = Recommender.Recommend(Size10, "v1", load, roomy, 100);
        Assert.Equal((Recommendation.RaisePoolSize, 15, 20), (advice.Reason, advice.SuggestedPoolSize!.Value, advice.BudgetAllows!.Value));
        Assert.EndsWith("raise pool.size to 15 (budget allows 20)", advice.Message, StringComparison.Ordinal);

        // budget 60 over 5 pods: 12 each, demand asks 15
        var tight = new BudgetTarget { Share = 10, Pods = 5, Available = 60, Entries = 1 };
        advice = Recommender.Recommend(Size10, "v1", load, tight, 60);
        Assert.Equal((Recommendation.RaisePoolSize, 12), (advice.Reason, advice.SuggestedPoolSize!.Value));
        Assert.Contains("raise pool.size to 12, the most backend.maxConnections 60 allows for 5 pods (demand suggests 15)", advice.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void When_the_budget_already_binds_the_advice_is_the_budget_it_would_take()
    {
        // budget 20 over 4 pods with reserve 1: share 5 = pool 4 + reserve 1; PgBouncer runs pool_size 4 and clients wait
        var pool = new PoolSettings { Size = 10, ReserveSize = 1 };
        var bound = new BudgetTarget { Share = 5, Pods = 4, Available = 20, Entries = 1 };
        var advice = Recommender.Recommend(pool, "v1", Load(LoadReports.Steady(120, capacity: 4, active: 4, waiting: 3, waitMs: 300)), bound, 20);
        Assert.Equal(Recommendation.BudgetLimited, advice.Reason);
        Assert.Null(advice.SuggestedPoolSize);
        Assert.Equal(4, advice.BudgetAllows);

        // demand 7 x 1.25 -> 9, but at least size + 1 = 11; (11 + 1) x 4 pods = 48
        Assert.Equal("clients waited p95 500 ms at 100% server utilisation, and backend.maxConnections 20 allows pool.size 4 for 4 pods: raise backend.maxConnections to 48 for pool.size 11, or run fewer pods", advice.Message);
    }

    [Fact]
    public void Clients_giving_up_after_the_acquisition_timeout_raise_even_when_the_survivors_did_not_wait()
    {
        var closed = new Dictionary<string, long> { [VersionContract.Load.QueryWaitTimeout] = 3 };
        var advice = Recommender.Recommend(Size10, "v1", Load(LoadReports.Steady(120, capacity: 10, active: 9, closed: closed)), null, null);
        Assert.Equal(Recommendation.RaisePoolSize, advice.Reason);
        Assert.Equal(12, advice.SuggestedPoolSize); // 9 x 1.25 = 11.25 -> 12
        Assert.Contains("and 3 gave up after pool.acquisitionTimeout", advice.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Mostly_idle_servers_lower_the_size_to_the_demand_with_headroom()
    {
        var advice = Recommender.Recommend(Size10, "v1", Load(LoadReports.Steady(300, capacity: 10, active: 1), LoadReports.Steady(300, capacity: 10, active: 2)), null, null);
        Assert.Equal(Recommendation.LowerPoolSize, advice.Reason);
        Assert.Equal(3, advice.SuggestedPoolSize); // p95 demand 2 x 1.25 = 2.5 -> 3
        Assert.Equal("servers idle 85%: lower pool.size to 3 (95% of the time a pod's pool used at most 2; clients waited p95 < 1 ms)", advice.Message);
    }

    [Fact]
    public void Lowering_never_goes_below_min_size()
    {
        var advice = Recommender.Recommend(new PoolSettings { Size = 10, MinSize = 5 }, "v1", Load(LoadReports.Steady(300, capacity: 10, active: 1)), null, null);
        Assert.Equal((Recommendation.LowerPoolSize, 5), (advice.Reason, advice.SuggestedPoolSize!.Value));
    }

    [Fact]
    public void A_busy_pool_nobody_waits_for_keeps_its_size()
    {
        var advice = Recommender.Recommend(Size10, "v1", Load(LoadReports.Steady(300, capacity: 10, active: 6, waitMs: 3)), null, null);
        Assert.Equal(Recommendation.Keep, advice.Reason);
        Assert.Null(advice.SuggestedPoolSize);
        Assert.Equal("pool.size 10 fits: clients waited p95 5 ms, servers busy 60%", advice.Message);
    }

    [Fact]
    public void No_advice_from_too_little_data_or_none()
    {
        var short_ = Recommender.Recommend(Size10, "v1", Load(LoadReports.Steady(30, capacity: 10, active: 10, waiting: 9, waitMs: 900)), null, null);
        Assert.Equal(Recommendation.NotEnoughData, short_.Reason);
        Assert.Equal("not enough measurements yet: 30 s over 1 pod, 1500 transactions (advice after 60 s and 100 transactions)", short_.Message);

        var quiet = Recommender.Recommend(Size10, "v1", Load(LoadReports.Steady(300, capacity: 10, active: 0, tps: 0)), null, null);
        Assert.Equal(Recommendation.NotEnoughData, quiet.Reason);

        var none = Recommender.Recommend(Size10, "v1", null, null, null);
        Assert.Equal((Recommendation.NotEnoughData, "no agent of version v1 has reported measurements yet"), (none.Reason, none.Message));
    }

    [Fact]
    public void What_the_budget_allows_accounts_for_unmanaged_pods_entries_and_reserve()
    {
        // 100 - 20 for 2 unmanaged pods = 80 over (6 - 2) managed pods x 2 entries = 10, minus reserve 2
        var target = new BudgetTarget { Share = 10, Pods = 6, Unmanaged = 2, Available = 80, Entries = 2 };
        Assert.Equal(8, Recommender.BudgetAllows(new PoolSettings { Size = 10, ReserveSize = 2 }, target));
        Assert.Null(Recommender.BudgetAllows(Size10, null));
    }
}
