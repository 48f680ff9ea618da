using System.Collections.Concurrent;
using SidePool.Api;
using SidePool.Contract;
using SidePool.Core;
using SidePool.Operator.Controller;
using SidePool.Operator.Tests.Support;
using SidePool.Testing;
using Xunit;
using Xunit.Abstractions;

namespace SidePool.Operator.Tests;

/// <summary>
/// Issue 13, items 3 and 4, across operator → agent → PgBouncer → PostgreSQL with real processes: an overloaded pool
/// (size 2, two pods of 6 clients each running 50 ms transactions) gets <c>status.recommendation</c>
/// <c>RaisePoolSize</c> from its agents' measurements, <c>kubectl sidepool recommend</c> prints it, and a client that
/// leaves a transaction open is closed by <c>idleTransactionTimeout</c> and turns <c>ClientsStuck</c> True.
/// </summary>
public sealed class LoadScenarioTests(ITestOutputHelper output)
{
    private const string Ns = "default";

    [Fact]
    public async Task An_overloaded_pool_is_advised_to_grow_and_a_leaked_transaction_makes_clients_stuck()
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
            LoadInterval = TimeSpan.FromSeconds(3),
        });
        await h.CreateCredentialsAsync(Ns, "orders-creds", "app", "app-password");
        var sidecarPort = FreePort.Next();
        await h.Pools.CreateAsync(OperatorHarness.Pool(Ns, "orders", "web", s =>
        {
            s.Backend = s.Backend! with { Host = "127.0.0.1", Port = postgres.Port, Database = "orders", Tls = new BackendTls { Mode = "disable" } };
            s.Pool.Size = 2;
            s.Pool.IdleTransactionTimeout = "2s";
            s.Sidecar.Port = sidecarPort;
            s.Sidecar.ClientAuth = "scram";
        }));
        var version = (await h.PoolWhenAsync(Ns, "orders", p => p.Status?.CurrentVersion is not null, "v1")).Status!.CurrentVersion!;
        var secretName = VersionContract.Secrets.Version("orders", version);
        var (_, replicaSet) = await h.CreateDeploymentAsync(Ns, "web", "web");

        var pods = new List<AgentPod>();
        try
        {
            for (var i = 0; i < 2; i++)
            {
                pods.Add(await AgentPod.StartAsync(h, Ns, replicaSet, $"web-1-{i}", version, secretName, sidecarPort, endpoints, clients: 6, sleepSeconds: 0.05));
            }

            // Before a minute of measurements (two pods: about 30 s), the advice waits for data.
            var early = await h.PoolWhenAsync(Ns, "orders", p => p.Status?.Recommendation is not null, "a first recommendation", TimeSpan.FromSeconds(60));
            output.WriteLine($"first: {early.Status!.Recommendation!.Reason}: {early.Status.Recommendation.Message}");

            // 12 clients want a server, 4 exist: the agents measure waits at full utilisation.
            var advised = await h.PoolWhenAsync(Ns, "orders", p => p.Status?.Recommendation?.Reason == Recommendation.RaisePoolSize, "RaisePoolSize", TimeSpan.FromSeconds(120));
            var advice = advised.Status!.Recommendation!;
            var load = advised.Status.Versions!.Single(v => v.Version == version).Load!;
            output.WriteLine($"advice: {advice.Message}; load: {load}");
            Assert.Equal((version, 2), (advice.Version, advice.PoolSize!.Value));
            Assert.InRange(advice.SuggestedPoolSize!.Value, 5, 20); // demand ~6 per pod, x 1.25
            Assert.Equal(2, load.Pods);
            Assert.InRange(load.ServerUtilisationPercent!.Value, 80, 100);
            Assert.True(load.WaitP95Ms >= 20, $"clients waited p95 {load.WaitP95Ms} ms");
            Assert.True(load.DemandP95 > 2, $"demand p95 {load.DemandP95}");
            Assert.StartsWith("clients waited p95 ", advice.Message, StringComparison.Ordinal);
            Assert.Equal("False", Condition(advised, ConditionTypes.ClientsStuck).Status);

            // kubectl sidepool recommend prints the advice and the version's measurements.
            using var home = new TestDirectory("recommend");
            var kubeconfig = h.Server.WriteKubeconfig(Path.Combine(home.FullPath, "kubeconfig"), Ns);
            var result = await ProgramRun.RunAsync(Binaries.KubectlSidepool, ["recommend", "orders", "--kubeconfig", kubeconfig], home.FullPath);
            output.WriteLine(result.Stdout + result.Stderr);
            Assert.Equal((0, ""), (result.ExitCode, result.Stderr));
            Assert.Contains($"RaisePoolSize for version {version} (pool.size 2 → ", result.Stdout, StringComparison.Ordinal);
            Assert.Contains(result.Stdout.Split('\n'), l => l.TrimStart().StartsWith(version + "  Current  2 ", StringComparison.Ordinal));

            // A client leaves a transaction open: PgBouncer closes it after 2 s, the agent counts it, the version is stuck.
            var leak = await pods[0].LeaveATransactionOpenAsync();
            var stuck = await h.PoolWhenAsync(Ns, "orders", p => p.Status?.Conditions?.Any(c => c.Type == ConditionTypes.ClientsStuck && c.Status == "True") == true, "ClientsStuck True", TimeSpan.FromSeconds(60));
            var condition = Condition(stuck, ConditionTypes.ClientsStuck);
            output.WriteLine($"ClientsStuck: {condition.Message}");
            Assert.Equal("IdleInTransaction", condition.Reason);
            Assert.StartsWith($"version {version}: 1 client closed after idle_transaction_timeout (2s)", condition.Message, StringComparison.Ordinal);
            Assert.Equal(1, stuck.Status!.Versions!.Single(v => v.Version == version).Load!.ClosedIdleInTransaction);
            await Assert.ThrowsAnyAsync<Exception>(async () =>
            {
                await using var late = new Npgsql.NpgsqlCommand("SELECT 2", leak);
                await late.ExecuteScalarAsync();
            });
        }
        finally
        {
            foreach (var pod in pods)
            {
                output.WriteLine($"{pod.Name}: {pod.Transactions} transactions, {pod.Failures.Count} failed{(pod.Failures.IsEmpty ? "" : ": " + pod.Failures.First())}");
                await pod.DisposeAsync();
            }
        }

        // the app never failed: waiting is not failing (acquisitionTimeout 30 s)
        Assert.All(pods, p => Assert.True(p.Failures.IsEmpty, $"{p.Name}: {string.Join("; ", p.Failures.Take(3))}"));
    }

    private static Condition Condition(ConnectionPool pool, string type) => pool.Status!.Conditions!.Single(c => c.Type == type);
}
