using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Npgsql;
using SidePool.Api;
using SidePool.Contract;
using SidePool.Core;
using SidePool.Operator.Tests.Support;
using SidePool.PgBouncer.Admin;
using SidePool.Testing;
using Xunit;
using Xunit.Abstractions;

namespace SidePool.Operator.Tests;

/// <summary>
/// Issue 9, item 3, across operator → API server → Secret volume → agent → PgBouncer → PostgreSQL, with real
/// processes and an app querying all along: a backend password rotation and a pool key rotation reach the running
/// sidecar live; the app never notices.
/// </summary>
public sealed class RotationSeamTests(ITestOutputHelper output)
{
    private const string Ns = "default";

    [Fact]
    public async Task Backend_password_and_pool_key_rotations_reach_a_running_sidecar_live_while_an_app_queries()
    {
        await using var postgres = await PostgresServer.StartAsync();
        await postgres.CreateRoleAsync("app", "first-password");
        await postgres.CreateDatabaseAsync("orders", "app");

        await using var h = await OperatorHarness.StartAsync();
        await h.CreateCredentialsAsync(Ns, "orders-creds", "app", "first-password");
        var listenPort = FreePort.Next();
        await h.Pools.CreateAsync(OperatorHarness.Pool(Ns, "orders", "web", s =>
        {
            s.Backend = s.Backend! with { Host = "127.0.0.1", Port = postgres.Port, Database = "orders", Tls = new BackendTls { Mode = "disable" } };
            s.Sidecar.Port = listenPort;
            s.Sidecar.ClientAuth = "scram";
        }));
        var version = (await h.PoolWhenAsync(Ns, "orders", p => p.Status?.CurrentVersion is not null, "v1")).Status!.CurrentVersion!;
        var secretName = VersionContract.Secrets.Version("orders", version);

        // The pod: its Secret volume kept by "the kubelet", and the real sidecar agent running PgBouncer on it.
        using var directory = new TestDirectory("seam");
        var mount = new PoolMount(directory);
        await using var kubelet = await SecretVolumeSync.StartAsync(h, Ns, secretName, mount);
        var socketDirectory = directory.CreateSubdirectory("socket");
        var httpPort = FreePort.Next();
        await using var agent = ManagedProcess.Start(
            Binaries.Agent,
            ["--config-dir", mount.Directory, "--runtime-dir", directory.PathOf("runtime"), "--socket-dir", socketDirectory, "--pgbouncer", Binaries.PgBouncer,
             "--http-address", "127.0.0.1", "--http-port", httpPort.ToString(CultureInfo.InvariantCulture), "--config-poll", "1s"]);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}/") };
        await OperatorHarness.EventuallyAsync(() => StatusAsync(http, "readyz"), s => s == 200, what: "sidecar ready", onEach: () => agent.HasExited ? throw new InvalidOperationException(agent.Output) : Task.CompletedTask);

        // The app: DATABASE_URL as the webhook's env hands it over (the version Secret's database-url key).
        var appConnection = AgentPod.ConnectionStringOf(await FileAsync(h, secretName, VersionContract.Files.DatabaseUrl));
        using var stop = new CancellationTokenSource();
        var progress = new StrongBox<int>();
        var app = AppLoadAsync(appConnection, progress, stop.Token);
        await OperatorHarness.EventuallyAsync(() => Task.FromResult(Volatile.Read(ref progress.Value)), n => n >= 40, what: "the app warmed up (its server connection is open)");

        // 1. Backend password: PostgreSQL first, then the Secret. The sidecar follows without a restart.
        var revision = await RevisionAsync(h, secretName);
        await postgres.ExecuteAsync("ALTER ROLE app PASSWORD 'second-password'");
        await h.SetPasswordAsync(Ns, "orders-creds", "second-password");
        revision = await WaitForRevisionAsync(h, http, secretName, revision);
        await ReconnectServersAsync(h, secretName, socketDirectory, listenPort); // new server logins from here on
        Assert.Equal(1, await ScalarAsync(appConnection, "select 1")); // a new app connection, same client password
        Assert.Equal(version, (await h.Pools.GetAsync("orders", Ns)).Status!.CurrentVersion); // no new version, no restart

        // 2. Pool key: a new admin password for the agent, new revisions, still no restart; and no scrape meanwhile
        // that cannot reach PgBouncer's admin console.
        using var scraping = new CancellationTokenSource();
        var up = new List<bool>();
        var scrapes = ScrapeAsync(http, up, scraping.Token);
        await h.Secrets.DeleteAsync(VersionContract.Secrets.Key("orders"), Ns);
        await WaitForRevisionAsync(h, http, secretName, revision);
        var applied = Count(up);
        await OperatorHarness.EventuallyAsync(() => Task.FromResult(Count(up)), n => n >= applied + 5 && n > 5, what: "5 more scrapes after the agent applied the new key"); // a count, not a time: a loaded machine scrapes slower
        await scraping.CancelAsync();
        await scrapes;
        output.WriteLine($"scrapes during the key rotation: {up.Count}, pgbouncer_up 0 in {up.Count(u => !u)}");
        Assert.True(up.Count > 5 && up.All(u => u), $"{up.Count(u => !u)} of {up.Count} scrapes could not reach pgbouncer");
        await OperatorHarness.EventuallyAsync(() => StatusAsync(http, "healthz"), s => s == 200, what: "the agent's admin console with the new key");
        Assert.Equal(1, await ScalarAsync(appConnection, "select 1"));

        await stop.CancelAsync();
        var (transactions, failures) = await app;
        output.WriteLine($"app: {transactions} transactions, {failures.Count} failed; kubelet syncs {kubelet.Syncs}\n{string.Join("\n", failures.Take(5))}\n{agent.Output}");
        Assert.True(transactions > 50, $"only {transactions} transactions");
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(5)));
        Assert.Equal(1, agent.Lines.Count(l => l.Contains("pgbouncer 1.", StringComparison.Ordinal) && l.Contains("running (pid", StringComparison.Ordinal))); // never restarted
    }

    private static async Task<int> StatusAsync(HttpClient http, string path)
    {
        try
        {
            using var response = await http.GetAsync(new Uri(path, UriKind.Relative));
            return (int)response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return 0;
        }
    }

    /// <summary>Scrapes /metrics until cancelled; each result is whether pgbouncer_up was 1.</summary>
    /// <summary>Scrapes /metrics back to back until stopped, adding whether PgBouncer was up to <paramref name="up"/>.</summary>
    private static async Task ScrapeAsync(HttpClient http, List<bool> up, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var metrics = await http.GetStringAsync(new Uri("metrics", UriKind.Relative), CancellationToken.None);
            lock (up)
            {
                up.Add(metrics.Split('\n').Contains("pgbouncer_up 1"));
            }

            await Task.Delay(10, CancellationToken.None);
        }
    }

    private static int Count(List<bool> up)
    {
        lock (up)
        {
            return up.Count;
        }
    }

    private static async Task<string> FileAsync(OperatorHarness h, string secret, string file) =>
        Encoding.UTF8.GetString((await h.Secrets.GetAsync(secret, Ns)).Data![file]);

    private static async Task<string> RevisionAsync(OperatorHarness h, string secret) =>
        (await h.Secrets.GetAsync(secret, Ns)).Metadata!.Annotations![VersionContract.Annotations.ConfigRevision];

    /// <summary>Waits for a new revision in the Secret, then for the agent to report running it.</summary>
    private static async Task<string> WaitForRevisionAsync(OperatorHarness h, HttpClient http, string secret, string previous)
    {
        var next = await OperatorHarness.EventuallyAsync(() => RevisionAsync(h, secret), r => r != previous, what: "a new revision");
        await OperatorHarness.EventuallyAsync(() => http.GetStringAsync(new Uri("metrics", UriKind.Relative)), m => m.Contains($"revision=\"{next}\"", StringComparison.Ordinal), what: $"the agent runs revision {next[..10]}");
        return next;
    }

    /// <summary>PgBouncer's RECONNECT: server connections close as they are released, new ones log in with the current password.</summary>
    private static async Task ReconnectServersAsync(OperatorHarness h, string secret, string socketDirectory, int port)
    {
        var userlist = await FileAsync(h, secret, VersionContract.Files.UserList);
        var admin = userlist.Split('\n').First(l => l.StartsWith($"\"{VersionContract.AdminUser}\"", StringComparison.Ordinal)).Split('"')[3];
        var client = new PgBouncerAdminClient(AdminEndpoint.UnixSocket(socketDirectory, port, VersionContract.AdminUser, admin));
        await client.QueryAsync("RECONNECT");
    }

    private static async Task<object?> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }

    /// <summary>An app: transactions on a kept connection, and a new connection every 20 of them.</summary>
    private static async Task<(int Transactions, List<string> Failures)> AppLoadAsync(string connectionString, StrongBox<int> progress, CancellationToken stop)
    {
        var failures = new List<string>();
        var transactions = 0;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(connectionString);
                await connection.OpenAsync(stop);
                for (var i = 0; i < 20 && !stop.IsCancellationRequested; i++)
                {
                    await using var tx = await connection.BeginTransactionAsync(stop);
                    await using var command = new NpgsqlCommand("select count(*) from pg_class", connection, tx);
                    await command.ExecuteScalarAsync(stop);
                    await tx.CommitAsync(stop);
                    transactions++;
                    Volatile.Write(ref progress.Value, transactions);
                    await Task.Delay(10, stop);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
            {
                failures.Add(e.Message);
                await Task.Delay(50, CancellationToken.None);
            }
        }

        return (transactions, failures);
    }
}
