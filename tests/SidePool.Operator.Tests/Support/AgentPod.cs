using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Npgsql;
using SidePool.Contract;
using SidePool.Kubernetes.Client;
using SidePool.Testing;

namespace SidePool.Operator.Tests.Support;

/// <summary>
/// One pod: its API object (held by a finalizer so it can terminate like a real pod), its Secret volume with the
/// sidecar port rewritten to a port of its own (each pod has its own network namespace in a cluster; here they share
/// loopback), the real agent with PgBouncer, and an app of clients running transactions.
/// </summary>
internal sealed class AgentPod : IAsyncDisposable
{
    private const string Hold = "test.sidepool.dev/hold";
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _tasks = [];
    private int _transactions;

    private readonly TestDirectory _directory;

    private readonly string _namespace;
    private readonly List<NpgsqlConnection> _held = [];

    private AgentPod(string name, string ns, ManagedProcess agent, TestDirectory directory)
    {
        Name = name;
        _namespace = ns;
        Agent = agent;
        _directory = directory;
    }

    public static ConcurrentBag<(string Pod, DateTimeOffset At, int From, int To)> Timeline { get; } = [];

    public string Name { get; }

    public ManagedProcess Agent { get; }

    public int Transactions => Volatile.Read(ref _transactions);

    public ConcurrentQueue<string> Failures { get; } = new();

    /// <summary>How the pod's app reaches its sidecar (the version's DATABASE_URL, on the pod's own port).</summary>
    public string ConnectionString { get; private set; } = "";

    /// <summary>A client of the app that opens a transaction, runs one statement and then sends nothing (a leak).</summary>
    public async Task<NpgsqlConnection> LeaveATransactionOpenAsync()
    {
        var connection = new NpgsqlConnection(ConnectionString);
        _held.Add(connection);
        await connection.OpenAsync();
        await using var begin = new NpgsqlCommand("BEGIN; SELECT 1", connection);
        await begin.ExecuteNonQueryAsync();
        return connection;
    }

    /// <summary>
    /// Creates the pod of pool <paramref name="pool"/> and starts its agent and an app of <paramref name="clients"/> clients,
    /// each running <c>SELECT pg_sleep(sleepSeconds)</c> transactions back to back.
    /// </summary>
    public static async Task<AgentPod> StartAsync(OperatorHarness h, string ns, ReplicaSet owner, string name, string version, string secretName, int renderedPort, ConcurrentDictionary<string, Uri> endpoints, int clients = 3, double sleepSeconds = 0.02, string pool = "orders")
    {
        var pod = await h.CreatePodAsync(ns, name, "web", owner, pool, version);
        await h.Pods.PatchAsync(name, ns, KubernetesPatch.Merge(new JsonObject { ["metadata"] = new JsonObject { ["finalizers"] = new JsonArray(Hold) } }));

        var testDirectory = new TestDirectory("agent-pod-" + name);
        var mount = new PoolMount(testDirectory);
        var listenPort = FreePort.Next();
        var secret = await h.Secrets.GetAsync(secretName, ns);
        var files = secret.Data!.ToDictionary(d => d.Key, d => Rewrite(Encoding.UTF8.GetString(d.Value), renderedPort, listenPort));
        mount.Publish(files);
        var httpPort = FreePort.Next();
        var agent = ManagedProcess.Start(
            Binaries.Agent,
            ["--config-dir", mount.Directory, "--runtime-dir", testDirectory.PathOf("runtime"), "--socket-dir", testDirectory.CreateSubdirectory("socket"), "--pgbouncer", Binaries.PgBouncer,
             "--http-address", "127.0.0.1", "--http-port", httpPort.ToString(CultureInfo.InvariantCulture), "--config-poll", "1s", "--drain-timeout", "5s", "--backend-check-interval", "1h"]);
        var fake = new AgentPod(name, ns, agent, testDirectory);
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

        fake.ConnectionString = ConnectionStringOf(files[VersionContract.Files.DatabaseUrl]);
        var sql = string.Create(CultureInfo.InvariantCulture, $"SELECT pg_sleep({sleepSeconds})");
        for (var i = 0; i < clients; i++)
        {
            fake._tasks.Add(fake.LoadAsync(fake.ConnectionString, sql));
        }

        _ = pod;
        return fake;
    }

    /// <summary>The pod is deleted (terminating: counted until gone), its app stops, its agent drains, the pod goes.</summary>
    public async Task TerminateAsync(OperatorHarness h)
    {
        await h.Pods.DeleteAsync(Name, _namespace);
        await _stop.CancelAsync();
        await Task.WhenAll(_tasks);
        Agent.Signal(PosixSignalNumber.Term);
        await Agent.WaitForExitAsync(TimeSpan.FromSeconds(30));
        await h.Pods.PatchAsync(Name, _namespace, KubernetesPatch.Merge(new JsonObject { ["metadata"] = new JsonObject { ["finalizers"] = new JsonArray() } }));
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await Task.WhenAll(_tasks);
        }
        finally
        {
            // the agent and PgBouncer go whatever the app or the log follower ended with (their error still surfaces)
            foreach (var connection in _held)
            {
                await connection.DisposeAsync();
            }

            await Agent.DisposeAsync();
            _directory.Dispose();
        }
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
                // (an ERROR "[budget] share N (epoch E) not applied: …" line is no change)
                var marker = line.IndexOf("[budget] share ", StringComparison.Ordinal);
                if (marker > 0 && line.Contains(" -> ", StringComparison.Ordinal))
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

    private async Task LoadAsync(string connectionString, string sql)
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
                    await using var command = new NpgsqlCommand(sql, connection, transaction);
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

    /// <summary>An Npgsql connection string for a version's DATABASE_URL (no client-side pooling, no reset, no auto-prepare).</summary>
    internal static string ConnectionStringOf(string url)
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
