using System.Net;
using SidePool.Contract;
using SidePool.Operator.Controller;
using SidePool.Operator.Tests.Support;
using SidePool.Testing;
using Xunit;

namespace SidePool.Operator.Tests;

/// <summary>
/// A leader starved for longer than its renew deadline steps down and, alone, takes its own lease back at once (seen in
/// the sandbox: four times in one budget scenario, load average 40 on 2 cores). No other operator delivered shares in
/// between, so the new term keeps what its agents acknowledged instead of counting every started pod at its worst case
/// while its slow agents answer (status total 100 for a budget of 20, PostgreSQL at 17). After another holder it must
/// re-learn.
/// </summary>
public sealed class BudgetTermTests
{
    private const string Ns = "default";

    [Fact]
    public async Task A_term_that_continues_its_own_keeps_what_agents_acknowledged_and_one_after_another_leader_does_not()
    {
        await using var agents = BudgetAgentStub.Start(new BudgetState { Epoch = 3, Share = 2, Entries = 1, Servers = 2, Settled = true });

        var scene = await BudgetScene.StartAsync(6, new PoolControllerOptions
        {
            AgentEndpoint = (_, _) => agents.Endpoint,
            AgentBudgetTimeout = TimeSpan.FromMilliseconds(500),
            BudgetFreshPodMargin = TimeSpan.FromHours(1), // no pod counts 0 for being younger than the term
        }); // 2 replicas + 25% surge: 3 planned, share 2
        await using var h = scene.Harness;
        for (var i = 0; i < 3; i++)
        {
            await scene.PodAsync($"web-1-{i}");
        }

        await h.PoolWhenAsync(Ns, "orders", p => p.Status?.ServerConnections is { Total: 6, Admitted: 3, Share: 2 }, "3 pods at 2");

        // The agents stop answering (starved), and the term ends; the same replica takes its untouched lease back.
        await agents.StopAsync();
        await h.StopControllerAsync();
        h.StartController(continuesPreviousTerm: true);
        await OperatorHarness.EventuallyAsync(() => Task.FromResult(h.Controller!.Statistics?.Succeeded ?? 0), n => n >= 1, what: "a reconcile of the new term done"); // it writes status as it ends
        var pool = await h.Pools.GetAsync("orders", Ns);
        Assert.Equal(6, pool.Status!.ServerConnections!.Total); // what the agents acknowledged, not 3 x 10
        Assert.Equal(3, pool.Status.ServerConnections.Admitted);
        Assert.Equal("False", Assert.Single(pool.Status.Conditions!, c => c.Type == "BudgetExceeded").Status);

        // Another replica led in between: what this one knew may be stale; the silent agents count at their worst case.
        await h.StopControllerAsync();
        h.StartController(continuesPreviousTerm: false);
        pool = await h.PoolWhenAsync(Ns, "orders", p => p.Status?.ServerConnections?.Total == 30, "every pod at its worst case");
        Assert.Equal("True", Assert.Single(pool.Status!.Conditions!, c => c.Type == "BudgetExceeded").Status);
    }
}
