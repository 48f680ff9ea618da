using SidePool.Api;
using SidePool.Contract;
using Xunit;

namespace SidePool.Core.Tests;

/// <summary>What status shows of the agents' measurements: per-version load, the recommendation and ClientsStuck.</summary>
public sealed class StatusLoadTests
{
    private static readonly ObservedPod[] Pods = [TestData.Pod("a", TestData.V2), TestData.Pod("b", TestData.V1)];

    private static ConnectionPoolStatus Build(ConnectionPool pool, PoolLoad? load, DateTimeOffset now) =>
        StatusBuilder.Build(new StatusInputs { Pool = pool, Desired = TestData.Desired(TestData.V2), Pods = Pods, Now = now, Load = load });

    private static PoolLoad Measured(params (string Version, LoadReport Report)[] reports) => new()
    {
        MeasuredAt = TestData.Now,
        Versions = reports.ToDictionary(r => r.Version, r => VersionLoad.Merge([r.Report])),
    };

    [Fact]
    public void Without_measurements_there_is_no_recommendation_no_load_and_no_ClientsStuck()
    {
        var status = Build(TestData.Pool(), null, TestData.Now);
        Assert.Null(status.Recommendation);
        Assert.All(status.Versions!, v => Assert.Null(v.Load));
        Assert.DoesNotContain(status.Conditions!, c => c.Type == ConditionTypes.ClientsStuck);
    }

    [Fact]
    public void Measurements_show_per_version_and_advise_on_the_current_version_only()
    {
        var closed = new Dictionary<string, long> { [VersionContract.Load.IdleTransactionTimeout] = 2 };
        var load = Measured(
            (TestData.V2, LoadReports.Steady(120, capacity: 10, active: 10, waiting: 4, waitMs: 120)),
            (TestData.V1, LoadReports.Steady(120, capacity: 10, active: 1, closed: closed)));
        var pool = TestData.Pool();
        var status = Build(pool, load, TestData.Now);

        var current = status.Versions!.Single(v => v.Version == TestData.V2).Load!;
        Assert.Equal((1, 200L, 100, 14, 0L), (current.Pods!.Value, current.WaitP95Ms!.Value, current.ServerUtilisationPercent!.Value, current.DemandP95!.Value, current.ClosedIdleInTransaction!.Value));
        Assert.Equal(2, status.Versions!.Single(v => v.Version == TestData.V1).Load!.ClosedIdleInTransaction);

        var advice = status.Recommendation!;
        Assert.Equal((TestData.V2, Recommendation.RaisePoolSize, pool.Spec!.Pool.Size, 18, TestData.Now), (advice.Version, advice.Reason, advice.PoolSize!.Value, advice.SuggestedPoolSize!.Value, advice.Since!.Value));

        var stuck = status.Conditions!.Single(c => c.Type == ConditionTypes.ClientsStuck);
        Assert.Equal(("True", "IdleInTransaction"), (stuck.Status, stuck.Reason));
        Assert.StartsWith($"version {TestData.V1}: 2 clients closed after idle_transaction_timeout (5m)", stuck.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_advice_keeps_its_since_while_it_stays_the_same_and_moves_when_it_changes()
    {
        var busy = Measured((TestData.V2, LoadReports.Steady(120, capacity: 10, active: 10, waiting: 4, waitMs: 120)));
        var pool = TestData.Pool();
        pool = pool with { Status = Build(pool, busy, TestData.Now) };

        // the same advice a minute later (other numbers, same reason and size): since stays
        var later = TestData.Now.AddMinutes(1);
        var again = Build(pool, Measured((TestData.V2, LoadReports.Steady(180, capacity: 10, active: 10, waiting: 4, waitMs: 150))), later);
        Assert.Equal(TestData.Now, again.Recommendation!.Since);

        // different advice: since moves
        var quiet = Build(pool with { Status = again }, Measured((TestData.V2, LoadReports.Steady(300, capacity: 10, active: 1))), later.AddMinutes(1));
        Assert.Equal((Recommendation.LowerPoolSize, later.AddMinutes(1)), (quiet.Recommendation!.Reason, quiet.Recommendation.Since!.Value));
    }
}
