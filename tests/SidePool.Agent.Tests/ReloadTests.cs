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
        const string newPassword = "app-password-2";
        await using var agent = await AgentProcess.StartAsync(backend.Server, poolSize: 10);
        var admin = agent.Admin();
        var before = agent.Rendered;
        await using var connectedBefore = new NpgsqlConnection(agent.AppConnectionString("connected-before"));
        await connectedBefore.OpenAsync();
        Assert.Equal(1, await ScalarAsync(connectedBefore, "SELECT 1"));

        await backend.Server.ExecuteAsync($"ALTER ROLE {TestBackend.User} PASSWORD '{newPassword}'");
        try
        {
            var published = System.Diagnostics.Stopwatch.GetTimestamp();
            var after = agent.Publish(backendPassword: newPassword, poolSize: 7);
            await WaitForSettingAsync(admin, "default_pool_size", "7");
            output.WriteLine($"pool size change visible in SHOW CONFIG {System.Diagnostics.Stopwatch.GetElapsedTime(published).TotalMilliseconds:0} ms after the ..data swap");
            await agent.Process.WaitForLineAsync(l => l.Contains($"configuration revision {after.ConfigRevision[..12]} applied", StringComparison.Ordinal), TimeSpan.FromSeconds(10));

            Assert.Equal(1, await ScalarAsync(connectedBefore, "SELECT 1"));
            Assert.Contains(await admin.ShowUsersAsync(), u => u.Name == TestBackend.User);

            // new server logins must use the new password: drop the pooled server connections and query again
            await backend.Server.ExecuteAsync($"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '{TestBackend.User}'");
            await using var connectedAfter = new NpgsqlConnection(agent.AppConnectionString("connected-after"));
            await connectedAfter.OpenAsync();
            Assert.Equal(1, await ScalarAsync(connectedAfter, "SELECT 1"));

            var metrics = (await agent.GetAsync("/metrics")).Body;
            Assert.Equal(1, AgentProcess.Sample(metrics, "sidepool_agent_reloads_total{result=\"applied\"}"));
            Assert.Equal(1, AgentProcess.Sample(metrics, $"sidepool_agent_config_info{{pool=\"orders-db\",revision=\"{after.ConfigRevision}\",version=\"{after.Version}\"}}"));
            Assert.DoesNotContain(before.ConfigRevision, metrics, StringComparison.Ordinal);
            Assert.Equal(0, AgentProcess.Sample(metrics, "sidepool_agent_restart_pending"));
            Assert.DoesNotContain(agent.Process.Lines, l => l.Contains(newPassword, StringComparison.Ordinal) || l.Contains(TestBackend.Password, StringComparison.Ordinal));
            Assert.DoesNotContain(newPassword, metrics, StringComparison.Ordinal);
        }
        finally
        {
            await backend.Server.ExecuteAsync($"ALTER ROLE {TestBackend.User} PASSWORD '{TestBackend.Password}'");
        }
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

    [Fact]
    public async Task A_change_pgbouncer_cannot_reload_is_reported_as_a_pending_restart()
    {
        await using var agent = await AgentProcess.StartAsync(backend.Server);
        var otherPort = SidePool.Testing.FreePort.Next();

        var rendered = agent.Publish(listenPort: otherPort);
        var logged = await agent.Process.WaitForLineAsync(l => l.Contains("restart pending", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        await agent.Process.WaitForLineAsync(l => l.Contains($"mounted configuration rejected", StringComparison.Ordinal) || l.Contains($"revision {rendered.ConfigRevision[..12]}", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        var metrics = (await agent.GetAsync("/metrics")).Body;

        Assert.Contains("listen_port", logged, StringComparison.Ordinal);
        Assert.Equal(1, AgentProcess.Sample(metrics, "sidepool_agent_restart_pending"));
        Assert.Equal(1, AgentProcess.Sample(metrics, "sidepool_agent_pending_restarts_total"));
        Assert.Equal(200, (await agent.GetAsync("/healthz")).Status);
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
