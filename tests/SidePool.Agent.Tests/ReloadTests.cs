using Npgsql;
using SidePool.PgBouncer.Admin;
using Xunit;
using Xunit.Abstractions;

namespace SidePool.Agent.Tests;

public sealed class ReloadTests(TestBackend backend, ITestOutputHelper output) : IClassFixture<TestBackend>
{
    [Fact]
    public async Task Pool_size_and_password_changes_apply_live_and_connected_clients_keep_working()
    {
        const string newBackendPassword = "app-password-2";
        await using var agent = await AgentProcess.StartAsync(backend.Server, poolSize: 10, clientAuth: "scram");
        var admin = agent.Admin();
        var before = agent.Rendered;
        var oldClientPassword = agent.ClientPassword;
        var newClientPassword = SidePool.Core.ClientCredentials.GeneratePassword();
        await using var connectedBefore = new NpgsqlConnection(agent.AppConnectionString("connected-before"));
        await connectedBefore.OpenAsync();
        Assert.Equal(1, await ScalarAsync(connectedBefore, "SELECT 1"));

        await backend.Server.ExecuteAsync($"ALTER ROLE {TestBackend.User} PASSWORD '{newBackendPassword}'");
        try
        {
            var published = System.Diagnostics.Stopwatch.GetTimestamp();
            var after = agent.Publish(backendPassword: newBackendPassword, poolSize: 7, clientPassword: newClientPassword);
            await WaitForSettingAsync(admin, "default_pool_size", "7");
            output.WriteLine($"pool size change visible in SHOW CONFIG {System.Diagnostics.Stopwatch.GetElapsedTime(published).TotalMilliseconds:0} ms after the ..data swap");
            await agent.Process.WaitForLineAsync(l => l.Contains($"configuration revision {after.ConfigRevision[..12]} applied", StringComparison.Ordinal), TimeSpan.FromSeconds(10));

            // a client connected before the change keeps working
            Assert.Equal(1, await ScalarAsync(connectedBefore, "SELECT 1"));
            Assert.Contains(await admin.ShowUsersAsync(), u => u.Name == TestBackend.User);

            // new server logins must use the new BACKEND password: drop the server connections, wait until PgBouncer
            // has seen them go (see Terminated_server_connections_are_waited_out_before_the_next_client_uses_the_pool),
            // then query again through a new login with the new CLIENT password
            await TerminateServerConnectionsAsync(agent);
            await using var connectedAfter = new NpgsqlConnection(agent.AppConnectionString("connected-after", password: newClientPassword));
            await connectedAfter.OpenAsync();
            Assert.Equal(1, await ScalarAsync(connectedAfter, "SELECT 1"));

            // the old client password no longer logs in; the connection opened with it before the change is still served
            var refused = await Assert.ThrowsAsync<PostgresException>(async () =>
            {
                await using var oldLogin = new NpgsqlConnection(agent.AppConnectionString("old-client-password", password: oldClientPassword));
                await oldLogin.OpenAsync();
            });
            Assert.Contains("authentication failed", refused.MessageText, StringComparison.Ordinal);
            Assert.Equal(1, await ScalarAsync(connectedBefore, "SELECT 1"));

            var metrics = (await agent.GetAsync("/metrics")).Body;
            Assert.Equal(1, AgentProcess.Sample(metrics, "sidepool_agent_reloads_total{result=\"applied\"}"));
            Assert.Equal(1, AgentProcess.Sample(metrics, $"sidepool_agent_config_info{{pool=\"orders-db\",revision=\"{after.ConfigRevision}\",version=\"{after.Version}\"}}"));
            Assert.DoesNotContain(before.ConfigRevision, metrics, StringComparison.Ordinal);
            Assert.Equal(0, AgentProcess.Sample(metrics, "sidepool_agent_restart_pending"));
            foreach (var secret in new[] { newBackendPassword, TestBackend.Password, oldClientPassword, newClientPassword })
            {
                Assert.DoesNotContain(agent.Process.Lines, l => l.Contains(secret, StringComparison.Ordinal));
                Assert.DoesNotContain(secret, metrics, StringComparison.Ordinal);
            }
        }
        finally
        {
            await backend.Server.ExecuteAsync($"ALTER ROLE {TestBackend.User} PASSWORD '{TestBackend.Password}'");
        }
    }

    /// <summary>
    /// Root cause of the old flake ("08P01 invalid server parameter", about 1 run in 9): pg_terminate_backend only
    /// signals the backend. Until the backend has died and PgBouncer has read its FATAL and EOF, the server
    /// connection sits in PgBouncer's idle list; a client that arrives then is linked to it, PgBouncer first sends
    /// <c>SET application_name</c> (the client's differs from the one the connection last served) and reads the
    /// backend's FATAL 57P01 while setting parameters, which PgBouncer 1.18 reports to the client as
    /// "invalid server parameter" (server.c, ErrorResponse while setting_vars). Here the race is made certain: the
    /// backends are stopped (SIGSTOP) before pg_terminate_backend and resumed only once PgBouncer has linked the next
    /// client to one of them; the old test sequence then fails every time. The fixed sequence (wait until PgBouncer
    /// has dropped the terminated connections) passes with the same slow death.
    /// </summary>
    [Fact]
    public async Task Terminated_server_connections_are_waited_out_before_the_next_client_uses_the_pool()
    {
        // the agent's own backend check is a client too: let its only run (at start) finish before the race
        await using var agent = await AgentProcess.StartAsync(backend.Server, ["--backend-check-interval", "1h"]);
        await agent.WaitForMetricAsync("sidepool_backend_up", 1, TimeSpan.FromSeconds(10));
        var admin = agent.Admin();

        await WarmIdleServerConnectionAsync(agent, "first");
        var dying = await StopAndTerminateServerConnectionsAsync();
        var oldSequence = QueryOnceAsync(agent, "second"); // right after pg_terminate_backend, as the test did
        await WaitForLinkAsync(admin, "second", dying);
        Resume(dying);
        var failure = await Assert.ThrowsAsync<PostgresException>(() => oldSequence);
        await WaitForServersAsync(admin, "pgbouncer to drop the other terminated backends", rows => !rows.Any(r => dying.Contains((int)r.GetInt64("remote_pid"))));

        await WarmIdleServerConnectionAsync(agent, "third");
        dying = await StopAndTerminateServerConnectionsAsync();
        var resumeLater = Task.Run(async () =>
        {
            await Task.Delay(300);
            Resume(dying);
        });
        await WaitForServersAsync(admin, "pgbouncer to drop the terminated backends", rows => !rows.Any(r => dying.Contains((int)r.GetInt64("remote_pid"))));
        await resumeLater;
        var fixedSequence = await QueryOnceAsync(agent, "fourth");

        output.WriteLine($"old sequence: {failure.SqlState} {failure.MessageText}");
        Assert.Equal("08P01", failure.SqlState);
        Assert.Equal("invalid server parameter", failure.MessageText);
        Assert.Equal(1, fixedSequence);
    }

    [Fact]
    public async Task A_bad_file_leaves_the_old_configuration_serving_and_is_reported()
    {
        await using var agent = await AgentProcess.StartAsync(backend.Server, poolSize: 10);
        var admin = agent.Admin();
        var good = agent.Rendered;
        var broken = new Dictionary<string, string>(good.Files)
        {
            ["pgbouncer.ini"] = good.Files["pgbouncer.ini"]
                .Replace("default_pool_size = 10", "default_pool_size = 3", StringComparison.Ordinal) + "this line is not a setting\n",
        };

        agent.PublishRaw(broken);
        var logged = await agent.Process.WaitForLineAsync(l => l.Contains("mounted configuration rejected", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        var metrics = (await agent.GetAsync("/metrics")).Body;
        var poolSize = (await admin.ShowConfigAsync()).Single(c => c.Key == "default_pool_size").Value;
        var ready = await agent.GetAsync("/readyz");

        Assert.Contains("pgbouncer.ini line", logged, StringComparison.Ordinal);
        Assert.Contains("expected 'key = value'", logged, StringComparison.Ordinal);
        Assert.Equal(1, AgentProcess.Sample(metrics, "sidepool_agent_reloads_total{result=\"invalid\"}"));
        Assert.Contains($"revision=\"{good.ConfigRevision}\"", metrics, StringComparison.Ordinal);
        Assert.Equal("10", poolSize);
        Assert.Equal(200, ready.Status);

        // a later good file is applied again
        agent.Publish(poolSize: 4);
        await WaitForSettingAsync(admin, "default_pool_size", "4");
    }

    [Fact]
    public async Task A_file_pgbouncer_fails_to_load_is_reported_as_failed()
    {
        await using var agent = await AgentProcess.StartAsync(backend.Server);
        var good = agent.Rendered;
        var rejectedByPgBouncer = new Dictionary<string, string>(good.Files)
        {
            ["pgbouncer.ini"] = good.Files["pgbouncer.ini"] + "no_such_parameter = 1\n", // valid syntax, unknown to PgBouncer
        };

        agent.PublishRaw(rejectedByPgBouncer);
        var logged = await agent.Process.WaitForLineAsync(l => l.Contains("did not take effect", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        var metrics = (await agent.GetAsync("/metrics")).Body;

        Assert.Contains("config file loading failed", logged, StringComparison.Ordinal);
        Assert.Equal(1, AgentProcess.Sample(metrics, "sidepool_agent_reloads_total{result=\"failed\"}"));
        Assert.Null(AgentProcess.Sample(metrics, "sidepool_agent_reloads_total{result=\"applied\"}"));
        Assert.Equal(200, (await agent.GetAsync("/readyz")).Status);
    }

    /// <summary>One server connection of the pool, idle in PgBouncer, that last served <paramref name="applicationName"/>.</summary>
    private static async Task WarmIdleServerConnectionAsync(AgentProcess agent, string applicationName)
    {
        Assert.Equal(1, await QueryOnceAsync(agent, applicationName));
    }

    private static async Task<object?> QueryOnceAsync(AgentProcess agent, string applicationName)
    {
        await using var connection = new NpgsqlConnection(agent.AppConnectionString(applicationName));
        await connection.OpenAsync();
        return await ScalarAsync(connection, "SELECT 1");
    }

    /// <summary>
    /// Terminates the app user's backends (the pool's server connections) and, as pg_terminate_backend only sends a
    /// signal, returns once PgBouncer no longer lists any of them (SHOW SERVERS remote_pid).
    /// </summary>
    private async Task TerminateServerConnectionsAsync(AgentProcess agent)
    {
        var pids = await AppBackendsAsync();
        await backend.Server.ExecuteAsync($"SELECT pg_terminate_backend(pid) FROM unnest(ARRAY[{string.Join(',', pids)}]) AS pid");
        await WaitForServersAsync(agent.Admin(), "pgbouncer to drop the terminated backends", rows => !rows.Any(r => pids.Contains((int)r.GetInt64("remote_pid"))));
    }

    /// <summary>Stops the app user's backends (SIGSTOP), then pg_terminate_backend: they die only once resumed.</summary>
    private async Task<List<int>> StopAndTerminateServerConnectionsAsync()
    {
        var pids = await AppBackendsAsync();
        pids.ForEach(pid => SidePool.Testing.ServiceUser.Signal(pid, (SidePool.Testing.PosixSignalNumber)19)); // SIGSTOP
        await backend.Server.ExecuteAsync($"SELECT pg_terminate_backend(pid) FROM unnest(ARRAY[{string.Join(',', pids)}]) AS pid");
        return pids;
    }

    private static void Resume(List<int> pids) =>
        pids.ForEach(pid => SidePool.Testing.ServiceUser.Signal(pid, (SidePool.Testing.PosixSignalNumber)18)); // SIGCONT

    private async Task<List<int>> AppBackendsAsync()
    {
        var pids = new List<int>();
        await using var connection = new NpgsqlConnection(backend.Server.SuperuserConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT pid FROM pg_stat_activity WHERE usename = '{TestBackend.User}' AND backend_type = 'client backend'", connection);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            pids.Add(reader.GetInt32(0));
        }

        Assert.NotEmpty(pids);
        return pids;
    }

    /// <summary>Waits until PgBouncer has linked the client <paramref name="applicationName"/> to one of <paramref name="backends"/>.</summary>
    private static async Task WaitForLinkAsync(PgBouncerAdminClient admin, string applicationName, List<int> backends)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            var (servers, clients) = await admin.RunAsync(async (c, ct) => (await c.QueryAsync("SHOW SERVERS", ct), await c.QueryAsync("SHOW CLIENTS", ct)));
            var dyingServers = servers.Rows.Where(r => backends.Contains((int)r.GetInt64("remote_pid"))).Select(r => r.GetString("ptr")).ToHashSet();
            if (clients.Rows.Any(r => r.GetStringOrNull("application_name") == applicationName && r.GetStringOrNull("link") is { } link && dyingServers.Contains(link)))
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, $"pgbouncer did not link {applicationName} to a terminated backend");
            await Task.Delay(10);
        }
    }

    private static async Task WaitForServersAsync(PgBouncerAdminClient admin, string what, Func<IReadOnlyList<AdminRow>, bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!condition((await admin.QueryAsync("SHOW SERVERS")).Rows))
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(20);
        }
    }

    private static async Task<object?> ScalarAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }

    private static async Task WaitForSettingAsync(PgBouncerAdminClient admin, string key, string value)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        string? last = null;
        while (DateTime.UtcNow < deadline)
        {
            last = (await admin.ShowConfigAsync()).Single(c => c.Key == key).Value;
            if (last == value)
            {
                return;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"{key} is still {last}, expected {value}");
    }
}
