using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Npgsql;
using SidePool.Api;
using SidePool.Contract;
using SidePool.Kubernetes.Client;
using SidePool.Operator.Controller;
using SidePool.Operator.Tests.Support;
using SidePool.Testing;
using Xunit;
using Xunit.Abstractions;

namespace SidePool.Operator.Tests;

/// <summary>
/// Issue 13, item 1, across operator → agent → PgBouncer → PostgreSQL with real processes: a pool with
/// <c>backend.maxConnections: 20</c>, a Deployment scaled 2 → 10 → 3, one real agent per pod (on its own loopback
/// ports) under load. Every status the operator writes counts at most 20 acknowledged server connections, PostgreSQL
/// never sees more than 20 of the pool's connections, and new pods are admitted only after old pods' shrinks.
/// </summary>
public sealed class BudgetScenarioTests(ITestOutputHelper output)
{
    private const string Ns = "default";
    private const int Budget = 20;

    [Fact]
    public async Task Scaling_2_to_10_to_3_never_exceeds_the_budget_and_admits_new_pods_after_the_shrinks()
    {
        await using var postgres = await PostgresServer.StartAsync();
        await postgres.CreateRoleAsync("app", "app-password");
        await postgres.CreateDatabaseAsync("orders", "app");

        var endpoints = new ConcurrentDictionary<string, Uri>(StringComparer.Ordinal);
        await using var h = await OperatorHarness.StartAsync(new PoolControllerOptions
        {
            SidecarMode = "native",
            RecheckInterval = TimeSpan.FromMilliseconds(500),
            Identity = "test",
            AgentEndpoint = (pod, _) => endpoints.GetValueOrDefault(pod.Metadata!.Name!),
            BudgetFreshPodMargin = TimeSpan.Zero, // one operator, no leader change: every pod is created after it started
        });
        await h.CreateCredentialsAsync(Ns, "orders-creds", "app", "app-password");
        var sidecarPort = FreePort.Next();
        await h.Pools.CreateAsync(OperatorHarness.Pool(Ns, "orders", "web", s =>
        {
            s.Backend = s.Backend! with { Host = "127.0.0.1", Port = postgres.Port, Database = "orders", Tls = new BackendTls { Mode = "disable" }, MaxConnections = Budget };
            s.Pool.Size = 10;
            s.Sidecar.Port = sidecarPort;
            s.Sidecar.ClientAuth = "scram";
        }));
        var version = (await h.PoolWhenAsync(Ns, "orders", p => p.Status?.CurrentVersion is not null, "v1")).Status!.CurrentVersion!;
        var secretName = VersionContract.Secrets.Version("orders", version);
        var (deployment, replicaSet) = await h.CreateDeploymentAsync(Ns, "web", "web");

        // Observers: every status the operator writes, and PostgreSQL every 100 ms.
        using var stop = new CancellationTokenSource();
        var totals = new ConcurrentQueue<int>();
        var watching = WatchTotalsAsync(h, totals, stop.Token);
        var pgSamples = new ConcurrentQueue<long>();
        var sampling = SamplePostgresAsync(postgres, pgSamples, stop.Token);

        var pods = new List<AgentPod>();
        try
        {
            // 2 replicas (+1 surge): share floor(20 / 3) = 6
            await ScaleAsync(h, deployment, 2);
            for (var i = 0; i < 2; i++)
            {
                pods.Add(await AgentPod.StartAsync(h, Ns, replicaSet, $"web-1-a{i}", version, secretName, sidecarPort, endpoints));
            }

            await WaitForSplitAsync(h, share: 6, admitted: 2, "2 pods admitted at 6");
            await WaitForLoadAsync(pods);

            // 10 replicas (+3 surge): share floor(20 / 13) = 1; the 8 new pods wait for the 2 old ones to shrink
            await ScaleAsync(h, deployment, 10);
            for (var i = 0; i < 8; i++)
            {
                pods.Add(await AgentPod.StartAsync(h, Ns, replicaSet, $"web-1-b{i}", version, secretName, sidecarPort, endpoints));
            }

            await WaitForSplitAsync(h, share: 1, admitted: 10, "10 pods admitted at 1");
            await WaitForLoadAsync(pods);

            // 3 replicas (+1 surge): share floor(20 / 4) = 5 once the 7 removed pods are gone
            await ScaleAsync(h, deployment, 3);
            foreach (var pod in pods.Skip(3).ToList())
            {
                await pod.TerminateAsync(h);
                pods.Remove(pod);
                await pod.DisposeAsync();
            }

            await WaitForSplitAsync(h, share: 5, admitted: 3, "3 pods at 5");
            await WaitForLoadAsync(pods);
        }
        finally
        {
            await stop.CancelAsync();
            await watching;
            await sampling;
            foreach (var pod in pods)
            {
                output.WriteLine($"{pod.Name}: {pod.Transactions} transactions, {pod.Failures.Count} failed{(pod.Failures.IsEmpty ? "" : ": " + pod.Failures.First())}");
                if (pod.Transactions < 100)
                {
                    output.WriteLine(string.Join("\n", pod.Agent.Lines.TakeLast(40)));
                }

                await pod.DisposeAsync();
            }
        }

        // The operator's acknowledged sum, at every status it wrote; PostgreSQL's count, every 100 ms.
        output.WriteLine($"status totals: {string.Join(" ", totals)}");
        output.WriteLine($"pg_stat_activity samples: {pgSamples.Count}, peak {pgSamples.Max()}");
        Assert.True(totals.Count > 3, "too few statuses observed");
        Assert.All(totals, t => Assert.True(t <= Budget, $"a status counted {t} server connections, budget {Budget}"));
        Assert.True(pgSamples.Max() <= Budget, $"PostgreSQL saw {pgSamples.Max()} connections of the pool's user, budget {Budget}");
        Assert.True(pgSamples.Max() > 0, "the load never reached PostgreSQL");

        // Shrink before grow: the first admission of a new pod was applied after an old pod's shrink was applied.
        var timeline = AgentPod.Timeline;
        var firstShrink = timeline.Where(e => e.Pod.StartsWith("web-1-a", StringComparison.Ordinal) && e.To < e.From && e.From > 0).Min(e => e.At);
        var firstNewAdmission = timeline.Where(e => e.Pod.StartsWith("web-1-b", StringComparison.Ordinal) && e.From == 0).Min(e => e.At);
        output.WriteLine(string.Join("\n", timeline.OrderBy(e => e.At).Select(e => $"{e.At:HH:mm:ss.fff} {e.Pod} {e.From} -> {e.To}")));
        Assert.True(firstShrink < firstNewAdmission, $"a new pod was admitted at {firstNewAdmission:HH:mm:ss.fff}, before the first shrink at {firstShrink:HH:mm:ss.fff}");
    }

    private static async Task ScaleAsync(OperatorHarness h, Deployment deployment, int replicas) =>
        await h.Deployments.PatchAsync(deployment.Metadata!.Name!, Ns, KubernetesPatch.Merge(new JsonObject { ["spec"] = new JsonObject { ["replicas"] = replicas } }));

    private static Task WaitForSplitAsync(OperatorHarness h, int share, int admitted, string what) =>
        h.PoolWhenAsync(Ns, "orders", p => p.Status?.ServerConnections is { } c && c.Share == share && c.Admitted == admitted && c.Pending == 0 && c.Pods == admitted, what, TimeSpan.FromSeconds(90));

    private static async Task WaitForLoadAsync(List<AgentPod> pods)
    {
        var marks = pods.ToDictionary(p => p, p => p.Transactions);
        await OperatorHarness.EventuallyAsync(() => Task.FromResult(pods.All(p => p.Transactions > marks[p] + 5)), done => done, TimeSpan.FromSeconds(60), "every pod's app commits");
    }

    private static async Task WatchTotalsAsync(OperatorHarness h, ConcurrentQueue<int> totals, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var change in h.Pools.WatchAsync(Ns, new WatchOptions { FieldSelector = "metadata.name=orders" }, cancellationToken))
            {
                if (change.Object?.Status?.ServerConnections is { Total: { } total, Share: not null })
                {
                    totals.Enqueue(total);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static async Task SamplePostgresAsync(PostgresServer postgres, ConcurrentQueue<long> samples, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            samples.Enqueue(await postgres.QueryScalarAsync<long>("SELECT count(*) FROM pg_stat_activity WHERE usename = 'app' AND backend_type = 'client backend'", cancellationToken: CancellationToken.None));
            try
            {
                await Task.Delay(100, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
