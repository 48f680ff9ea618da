using SidePool.Api;
using SidePool.Core;
using Xunit;

namespace SidePool.Agent.Tests;

/// <summary>
/// The sizing rules (docs/recommendations.md, <see cref="Recommender"/>) on what the agent reports from real PgBouncer
/// 1.18 outputs (Recorded/README.md): the reports go through <see cref="VersionLoad.Merge"/> as the operator adds up
/// pods. A recording is 12-14 s of one PgBouncer; six pods that each behaved so give the minute the rules want.
/// </summary>
public sealed class RecordedAdviceTests
{
    private static VersionLoad SixPodsLike(string file)
    {
        var report = RecordedLoad.Replay(file);
        return VersionLoad.Merge(Enumerable.Repeat(report, 6).ToList());
    }

    [Fact]
    public void The_overloaded_recording_is_advised_to_grow()
    {
        // pool_size 2, 8 clients: sv_active 2 and cl_waiting 6 under load, each second's wait 146-232 ms
        var load = SixPodsLike("overloaded-pool-size-2.txt");
        var advice = Recommender.Recommend(new PoolSettings { Size = 2 }, "v1", load, null, null);
        Assert.Equal((Recommendation.RaisePoolSize, 10), (advice.Reason, advice.SuggestedPoolSize!.Value)); // demand p95 8 x 1.25
        // 263 transactions waited at most 200 ms and 14 (5.05 %) about 232 ms: the 95th percentile is in (200, 500] ms;
        // 8 of the 10 samples with the pool were under load: 80 % busy
        Assert.Equal("clients waited p95 500 ms at 80% server utilisation: raise pool.size to 10", advice.Message);

        // with a budget of 24 for 3 pods, the most is 8 each
        var budget = new BudgetTarget { Share = 2, Pods = 3, Available = 24, Entries = 1 };
        var capped = Recommender.Recommend(new PoolSettings { Size = 2 }, "v1", load, budget, 24);
        Assert.Equal((Recommendation.RaisePoolSize, 8, 8), (capped.Reason, capped.SuggestedPoolSize!.Value, capped.BudgetAllows!.Value));
    }

    [Fact]
    public void The_quiet_recording_is_advised_to_shrink()
    {
        // pool_size 10, one client at ~3 transactions a second: sv_active 1 at most, nobody waited
        var load = SixPodsLike("idle-pool-size-10-with-restart.txt");
        var advice = Recommender.Recommend(new PoolSettings { Size = 10 }, "v1", load, null, null);
        Assert.Equal((Recommendation.LowerPoolSize, 2), (advice.Reason, advice.SuggestedPoolSize!.Value)); // demand p95 1 x 1.25 -> 2
        Assert.StartsWith("servers idle 96%: lower pool.size to 2", advice.Message, StringComparison.Ordinal);
    }
}
