using System.Net;
using System.Text.Json.Nodes;
using SidePool.Contract;
using SidePool.Kubernetes.Client;
using SidePool.Operator.Controller;
using SidePool.Operator.Tests.Support;
using SidePool.Testing;
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
        var scene = await BudgetScene.StartAsync(20, new PoolControllerOptions
        {
            AgentEndpoint = (_, _) => null, // no pod has an address yet
            // one operator: every pod is created after it started (creationTimestamp has whole seconds: -1 s keeps a pod
            // created in the operator's first second fresh)
            BudgetFreshPodMargin = TimeSpan.FromSeconds(-1),
        }); // 2 replicas + 25% surge: 3 pods planned
        await using var h = scene.Harness;
        for (var i = 0; i < 3; i++)
        {
            await scene.PodAsync($"web-1-{i}", ready: false);
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

    [Fact]
    public async Task A_new_term_asks_the_terminating_pods_too_instead_of_counting_them_at_their_worst_case()
    {
        // Every agent answers GET /budget: share 2, 2 servers open (a terminating pod's agent answers during its drain).
        await using var agents = BudgetAgentStub.Start(new BudgetState { Epoch = 3, Share = 2, Entries = 1, Servers = 2, Settled = true });

        var scene = await BudgetScene.StartAsync(20, new PoolControllerOptions
        {
            AgentEndpoint = (_, _) => agents.Endpoint,
            BudgetFreshPodMargin = TimeSpan.FromHours(1), // as after a leader change: every pod may predate this term
        });
        await using var h = scene.Harness;
        for (var i = 0; i < 3; i++)
        {
            await scene.PodAsync($"web-1-{i}");
        }

        // one pod is being deleted (a finalizer keeps it, as a draining pod stays until its containers stopped)
        await h.Pods.PatchAsync("web-1-2", Ns, KubernetesPatch.Merge(new JsonObject { ["metadata"] = new JsonObject { ["finalizers"] = new JsonArray("test.sidepool.dev/hold") } }));
        await h.Pods.DeleteAsync("web-1-2", Ns);

        var pool = await h.PoolWhenAsync(Ns, "orders", p => p.Status?.ServerConnections is { Pods: 3, Admitted: 3 }, "3 pods in the budget, answered");
        Assert.Equal(6, pool.Status!.ServerConnections!.Total); // 3 pods at the share their agents report, none at 10
        await h.Pods.PatchAsync("web-1-2", Ns, KubernetesPatch.Merge(new JsonObject { ["metadata"] = new JsonObject { ["finalizers"] = new JsonArray() } }));
        await agents.StopAsync();
    }

    [Fact]
    public async Task After_a_leader_change_a_pod_whose_sidecar_has_not_started_counts_nothing_while_a_started_silent_one_counts_its_worst_case()
    {
        // As in CI: the operator lost its lease and won it again while the Deployment scaled up. The new term knows no
        // agent, and none answers yet (nothing listens on the port). A pod whose sidecar has not passed its startup probe
        // was admitted by no term (none admits before then), so its PgBouncer is paused: it counts 0. A started pod that
        // does not answer may have been admitted by the previous term: it counts its worst case (pool.size 10).
        var silent = new Uri($"http://127.0.0.1:{FreePort.Next()}"); // nothing listens there
        var scene = await BudgetScene.StartAsync(20, new PoolControllerOptions
        {
            AgentEndpoint = (_, _) => silent,
            BudgetFreshPodMargin = TimeSpan.FromHours(1), // after a leader change: every pod may predate this term
        });
        await using var h = scene.Harness;
        await scene.PodAsync("web-1-0");
        var starting = new[]
        {
            await scene.PodAsync("web-1-1", ready: false, sidecarStarted: false),
            await scene.PodAsync("web-1-2", ready: false, sidecarStarted: false),
        };

        // the started one at 10, the two starting ones at 0 (30 before the fix: every unanswered pod at its worst case)
        var pool = await h.PoolWhenAsync(Ns, "orders", p => p.Status?.ServerConnections is { Pods: 3, Total: 10 }, "3 pods in the budget, the started one at its worst case");
        var connections = pool.Status!.ServerConnections!;
        Assert.Equal(3, connections.Pending);
        Assert.Equal(0, connections.Unmanaged);
        Assert.Equal("False", Assert.Single(pool.Status.Conditions!, c => c.Type == "BudgetExceeded").Status);

        // Once their sidecars started they may be admitted by any term: unanswered, they count their worst case too.
        foreach (var pod in starting)
        {
            await h.SetPodStatusAsync(pod, ready: true, "sidepool-orders");
        }

        pool = await h.PoolWhenAsync(Ns, "orders", p => p.Status?.ServerConnections?.Total == 30, "the started pods at their worst case");
        Assert.Equal(3, pool.Status!.ServerConnections!.Pending);
    }

    [Theory]
    [InlineData(0, 4)] // released at once: what the pod's PgBouncer held is handed out while PostgreSQL still has it
    [InlineData(3600, 6)] // still counted until its release
    public async Task A_pod_that_left_still_counts_until_its_release_delay_passed(int releaseSeconds, int total)
    {
        await using var agents = BudgetAgentStub.Start(new BudgetState { Epoch = 3, Share = 2, Entries = 1, Servers = 2, Settled = true });

        var scene = await BudgetScene.StartAsync(20, new PoolControllerOptions
        {
            AgentEndpoint = (_, _) => agents.Endpoint,
            BudgetReleaseDelay = TimeSpan.FromSeconds(releaseSeconds),
        });
        await using var h = scene.Harness;
        for (var i = 0; i < 3; i++)
        {
            await scene.PodAsync($"web-1-{i}");
        }

        await h.PoolWhenAsync(Ns, "orders", p => p.Status?.ServerConnections is { Pods: 3, Total: 6 }, "3 pods at 2");
        await h.Pods.DeleteAsync("web-1-2", Ns); // no finalizer: the object is gone at once

        var pool = await h.PoolWhenAsync(Ns, "orders", p => p.Status?.ServerConnections?.Pods == 2, "the pod gone");
        Assert.Equal(total, pool.Status!.ServerConnections!.Total);
        await agents.StopAsync();
    }
}
