using SidePool.Operator.Controller;
using SidePool.Operator.Tests.Support;
using Xunit;

namespace SidePool.Operator.Tests;

/// <summary>
/// A pod the Deployment just created has no <c>status.podIP</c> until its sandbox runs (seconds on a real node), so the
/// operator cannot reach its agent yet. Its version has a budget key, so its PgBouncer starts paused and only this
/// operator can admit it: it waits as a managed pod that has not answered (0 when created after the operator started),
/// not as an unmanaged pod at its worst case (which made every scale-up report OverBudget, and shrank the share for pods
/// that hold nothing).
/// </summary>
public sealed class BudgetNewPodTests
{
    private const string Ns = "default";

    [Fact]
    public async Task A_new_pod_without_an_address_yet_counts_nothing_and_is_not_unmanaged()
    {
        await using var h = await OperatorHarness.StartAsync(new PoolControllerOptions
        {
            SidecarMode = "native",
            RecheckInterval = TimeSpan.FromMilliseconds(500),
            Identity = "test",
            AgentEndpoint = (_, _) => null, // no pod has an address yet
            BudgetFreshPodMargin = TimeSpan.Zero, // one operator: every pod is created after it started
        });
        await h.CreateCredentialsAsync(Ns, "orders-creds", "app", "app-password");
        await h.Pools.CreateAsync(OperatorHarness.Pool(Ns, "orders", "web", s =>
        {
            s.Backend = s.Backend! with { MaxConnections = 20 };
            s.Pool.Size = 10;
        }));
        var version = (await h.PoolWhenAsync(Ns, "orders", p => p.Status?.CurrentVersion is not null, "v1")).Status!.CurrentVersion!;
        var (_, replicaSet) = await h.CreateDeploymentAsync(Ns, "web", "web"); // 2 replicas + 25% surge: 3 pods planned
        for (var i = 0; i < 3; i++)
        {
            await h.CreatePodAsync(Ns, $"web-1-{i}", "web", replicaSet, "orders", version, ready: false);
        }

        var pool = await h.PoolWhenAsync(Ns, "orders", p => p.Status?.ServerConnections?.Pods == 3 && p.Status.ServerConnections.PlannedPods is not null, "3 pods in the budget");
        var connections = pool.Status!.ServerConnections!;
        Assert.Equal(0, connections.Unmanaged);
        Assert.Equal(3, connections.Pending);
        Assert.Equal(0, connections.Total);
        Assert.Equal(6, connections.Share); // floor(20 / 3): the pods are counted as the managed pods they will be
        var condition = Assert.Single(pool.Status.Conditions!, c => c.Type == "BudgetExceeded");
        Assert.Equal("False", condition.Status);
    }
}
