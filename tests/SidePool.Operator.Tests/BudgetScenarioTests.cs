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

        var pods = new List<FakePod>();
        try
        {
            // 2 replicas (+1 surge): share floor(20 / 3) = 6
            await ScaleAsync(h, deployment, 2);
            for (var i = 0; i < 2; i++)
            {
                pods.Add(await FakePod.StartAsync(h, replicaSet, $"web-1-a{i}", version, secretName, sidecarPort, endpoints));
            }

            await WaitForSplitAsync(h, share: 6, admitted: 2, "2 pods admitted at 6");
            await WaitForLoadAsync(pods);

            // 10 replicas (+3 surge): share floor(20 / 13) = 1; the 8 new pods wait for the 2 old ones to shrink
            await ScaleAsync(h, deployment, 10);
            for (var i = 0; i < 8; i++)
            {
                pods.Add(await FakePod.StartAsync(h, replicaSet, $"web-1-b{i}", version, secretName, sidecarPort, endpoints));
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
        var timeline = FakePod.Timeline;
        var firstShrink = timeline.Where(e => e.Pod.StartsWith("web-1-a", StringComparison.Ordinal) && e.To < e.From && e.From > 0).Min(e => e.At);
        var firstNewAdmission = timeline.Where(e => e.Pod.StartsWith("web-1-b", StringComparison.Ordinal) && e.From == 0).Min(e => e.At);
        output.WriteLine(string.Join("\n", timeline.OrderBy(e => e.At).Select(e => $"{e.At:HH:mm:ss.fff} {e.Pod} {e.From} -> {e.To}")));
        Assert.True(firstShrink < firstNewAdmission, $"a new pod was admitted at {firstNewAdmission:HH:mm:ss.fff}, before the first shrink at {firstShrink:HH:mm:ss.fff}");
    }

    private static async Task ScaleAsync(OperatorHarness h, Deployment deployment, int replicas) =>
        await h.Deployments.PatchAsync(deployment.Metadata!.Name!, Ns, KubernetesPatch.Merge(new JsonObject { ["spec"] = new JsonObject { ["replicas"] = replicas } }));

    private static Task WaitForSplitAsync(OperatorHarness h, int share, int admitted, string what) =>
        h.PoolWhenAsync(Ns, "orders", p => p.Status?.ServerConnections is { } c && c.Share == share && c.Admitted == admitted && c.Pending == 0 && c.Pods == admitted, what, TimeSpan.FromSeconds(90));

    private static async Task WaitForLoadAsync(List<FakePod> pods)
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

    /// <summary>
    /// One pod: its API object (held by a finalizer so it can terminate like a real pod), its Secret volume with the
    /// sidecar port rewritten to a port of its own (each pod has its own network namespace in a cluster; here they share
    /// loopback), the real agent with PgBouncer, and an app of 3 clients running transactions.
    /// </summary>
    private sealed class FakePod : IAsyncDisposable
    {
        private const string Hold = "test.sidepool.dev/hold";
        private readonly CancellationTokenSource _stop = new();
        private readonly List<Task> _tasks = [];
        private int _transactions;

        private readonly TestDirectory _directory;

        private FakePod(string name, ManagedProcess agent, TestDirectory directory)
        {
            Name = name;
            Agent = agent;
            _directory = directory;
        }

        public static ConcurrentBag<(string Pod, DateTimeOffset At, int From, int To)> Timeline { get; } = [];

        public string Name { get; }

        public ManagedProcess Agent { get; }

        public int Transactions => Volatile.Read(ref _transactions);

        public ConcurrentQueue<string> Failures { get; } = new();

        public static async Task<FakePod> StartAsync(OperatorHarness h, ReplicaSet owner, string name, string version, string secretName, int renderedPort, ConcurrentDictionary<string, Uri> endpoints)
        {
            var pod = await h.CreatePodAsync(Ns, name, "web", owner, "orders", version);
            await h.Pods.PatchAsync(name, Ns, KubernetesPatch.Merge(new JsonObject { ["metadata"] = new JsonObject { ["finalizers"] = new JsonArray(Hold) } }));

            var testDirectory = new TestDirectory("budget-" + name);
            var mount = new PoolMount(testDirectory);
            var listenPort = FreePort.Next();
            var secret = await h.Secrets.GetAsync(secretName, Ns);
            var files = secret.Data!.ToDictionary(d => d.Key, d => Rewrite(Encoding.UTF8.GetString(d.Value), renderedPort, listenPort));
            mount.Publish(files);
            var httpPort = FreePort.Next();
            var agent = ManagedProcess.Start(
                Binaries.Agent,
                ["--config-dir", mount.Directory, "--runtime-dir", testDirectory.PathOf("runtime"), "--socket-dir", testDirectory.CreateSubdirectory("socket"), "--pgbouncer", Binaries.PgBouncer,
                 "--http-address", "127.0.0.1", "--http-port", httpPort.ToString(CultureInfo.InvariantCulture), "--config-poll", "1s", "--drain-timeout", "5s", "--backend-check-interval", "1h"]);
            var fake = new FakePod(name, agent, testDirectory);
            fake._tasks.Add(fake.FollowBudgetLogAsync());
            endpoints[name] = new Uri($"http://127.0.0.1:{httpPort}");

            // a native sidecar: the app starts once the sidecar's startup probe passes
            using (var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}/") })
            {
                await OperatorHarness.EventuallyAsync(
                    async () =>
                    {
                        try
                        {
                            using var response = await http.GetAsync(new Uri("startupz", UriKind.Relative));
                            return (int)response.StatusCode;
                        }
                        catch (HttpRequestException)
                        {
                            return 0;
                        }
                    },
                    status => status == 200,
                    what: $"{name}: sidecar started",
                    onEach: () => agent.HasExited ? throw new InvalidOperationException(agent.Output) : Task.CompletedTask);
            }

            var connection = ConnectionString(files[VersionContract.Files.DatabaseUrl]);
            for (var i = 0; i < 3; i++)
            {
                fake._tasks.Add(fake.LoadAsync(connection));
            }

            _ = pod;
            return fake;
        }

        /// <summary>The pod is deleted (terminating: counted until gone), its app stops, its agent drains, the pod goes.</summary>
        public async Task TerminateAsync(OperatorHarness h)
        {
            await h.Pods.DeleteAsync(Name, Ns);
            await _stop.CancelAsync();
            await Task.WhenAll(_tasks);
            Agent.Signal(PosixSignalNumber.Term);
            await Agent.WaitForExitAsync(TimeSpan.FromSeconds(30));
            await h.Pods.PatchAsync(Name, Ns, KubernetesPatch.Merge(new JsonObject { ["metadata"] = new JsonObject { ["finalizers"] = new JsonArray() } }));
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await Task.WhenAll(_tasks);
            await Agent.DisposeAsync();
            _directory.Dispose();
        }

        private static string Rewrite(string content, int from, int to) =>
            content.Replace($"listen_port = {from}", $"listen_port = {to}", StringComparison.Ordinal)
                .Replace($"\"listenPort\": {from}", $"\"listenPort\": {to}", StringComparison.Ordinal)
                .Replace($"\"listen_port\": \"{from}\"", $"\"listen_port\": \"{to}\"", StringComparison.Ordinal)
                .Replace($"127.0.0.1:{from}/", $"127.0.0.1:{to}/", StringComparison.Ordinal);

        private async Task FollowBudgetLogAsync()
        {
            var seen = 0;
            while (true)
            {
                var lines = Agent.Lines;
                foreach (var line in lines.Skip(seen))
                {
                    // 2026-12-03T09:28:48.216Z INFO [budget] share 0 (not admitted) -> 8 server connections per database entry ...
                    var marker = line.IndexOf("[budget] share ", StringComparison.Ordinal);
                    if (marker > 0)
                    {
                        var rest = line[(marker + "[budget] share ".Length)..];
                        var from = rest.StartsWith('0') ? 0 : int.Parse(rest.Split(' ')[0], CultureInfo.InvariantCulture);
                        var to = int.Parse(rest.Split("-> ")[1].Split(' ')[0], CultureInfo.InvariantCulture);
                        Timeline.Add((Name, DateTimeOffset.Parse(line.Split(' ')[0], CultureInfo.InvariantCulture), from, to));
                    }
                }

                seen = lines.Count;
                if (_stop.IsCancellationRequested)
                {
                    return;
                }

                await Task.Delay(50, CancellationToken.None);
            }
        }

        private async Task LoadAsync(string connectionString)
        {
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    await using var connection = new NpgsqlConnection(connectionString);
                    await connection.OpenAsync(_stop.Token);
                    while (!_stop.IsCancellationRequested)
                    {
                        await using var transaction = await connection.BeginTransactionAsync(_stop.Token);
                        await using var command = new NpgsqlCommand("SELECT pg_sleep(0.02)", connection, transaction);
                        await command.ExecuteNonQueryAsync(_stop.Token);
                        await transaction.CommitAsync(_stop.Token);
                        Interlocked.Increment(ref _transactions);
                    }
                }
                catch (OperationCanceledException) when (_stop.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception e) when (e is NpgsqlException or InvalidOperationException or IOException)
                {
                    Failures.Enqueue(e.Message);
                    try
                    {
                        await Task.Delay(100, _stop.Token);
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }
                }
            }
        }

        private static string ConnectionString(string url)
        {
            var uri = new Uri(url);
            var credentials = uri.UserInfo.Split(':');
            return new NpgsqlConnectionStringBuilder
            {
                Host = uri.Host,
                Port = uri.Port,
                Database = uri.AbsolutePath.TrimStart('/'),
                Username = Uri.UnescapeDataString(credentials[0]),
                Password = Uri.UnescapeDataString(credentials[1]),
                Pooling = false,
                NoResetOnClose = true,
                MaxAutoPrepare = 0,
                Timeout = 60,
                CommandTimeout = 60,
            }.ConnectionString;
        }
    }
}
