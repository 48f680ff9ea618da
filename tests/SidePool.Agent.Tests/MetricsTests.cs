using System.Globalization;
using Npgsql;
using Xunit;

namespace SidePool.Agent.Tests;

public sealed class MetricsTests(TestBackend backend) : IClassFixture<TestBackend>
{
    private const SidePool.Testing.PosixSignalNumber SigStop = (SidePool.Testing.PosixSignalNumber)19;
    private const SidePool.Testing.PosixSignalNumber SigCont = (SidePool.Testing.PosixSignalNumber)18;

    [Fact]
    public async Task Metrics_after_known_traffic_carry_the_exporters_names_and_values()
    {
        // the backend check runs once at start and then not again during the test: its SELECT 1 would count as traffic
        await using var agent = await AgentProcess.StartAsync(backend.Server, ["--backend-check-interval", "1h"], poolSize: 10);
        await agent.WaitForMetricAsync("sidepool_backend_up", 1, TimeSpan.FromSeconds(10));
        await using var connection = new NpgsqlConnection(agent.AppConnectionString());
        await connection.OpenAsync();
        await ExecuteAsync(connection, "SELECT 1"); // warm up: Npgsql's first round trip

        var before = (await agent.GetAsync("/metrics")).Body;
        for (var i = 0; i < 10; i++)
        {
            await ExecuteAsync(connection, "SELECT 1");
        }

        await ExecuteAsync(connection, "BEGIN");
        await ExecuteAsync(connection, "SELECT 1");
        var during = await agent.GetAsync("/metrics");
        await ExecuteAsync(connection, "COMMIT");
        var after = (await agent.GetAsync("/metrics")).Body;

        const string pool = "{database=\"orders\",user=\"app\"}";
        const string database = "{database=\"orders\"}";
        Assert.Equal(200, during.Status);
        Assert.Equal(1, AgentProcess.Sample(during.Body, "pgbouncer_up"));
        Assert.Equal(1, AgentProcess.Sample(during.Body, "pgbouncer_version_info{version=\"1.18.0\"}"));
        Assert.Equal(1, AgentProcess.Sample(during.Body, "pgbouncer_pools_client_active_connections" + pool));
        Assert.Equal(1, AgentProcess.Sample(during.Body, "pgbouncer_pools_server_active_connections" + pool));
        Assert.Equal(0, AgentProcess.Sample(during.Body, "pgbouncer_pools_client_waiting_connections" + pool));
        Assert.Equal(0, AgentProcess.Sample(during.Body, "pgbouncer_pools_client_maxwait_seconds" + pool));
        Assert.NotNull(AgentProcess.Sample(during.Body, "pgbouncer_pools_server_idle_connections" + pool));
        Assert.NotNull(AgentProcess.Sample(during.Body, "pgbouncer_pools_server_login_connections" + pool));

        // 10 autocommit statements, then BEGIN; SELECT 1; COMMIT = 13 queries in 11 transactions
        Assert.Equal(13, Delta(before, after, "pgbouncer_stats_totals_queries_pooled_total" + database));
        Assert.Equal(11, Delta(before, after, "pgbouncer_stats_totals_sql_transactions_pooled_total" + database));
        Assert.True(Delta(before, after, "pgbouncer_stats_totals_received_bytes_total" + database) > 0);
        Assert.True(Delta(before, after, "pgbouncer_stats_totals_sent_bytes_total" + database) > 0);
        Assert.True(Delta(before, after, "pgbouncer_stats_totals_queries_duration_seconds_total" + database) > 0);
        Assert.NotNull(AgentProcess.Sample(after, "pgbouncer_stats_totals_client_wait_seconds_total" + database));
        Assert.NotNull(AgentProcess.Sample(after, "pgbouncer_stats_totals_server_in_transaction_seconds_total" + database));

        var port = agent.BackendPort.ToString(CultureInfo.InvariantCulture);
        var databaseLabels = $"{{database=\"orders\",force_user=\"app\",host=\"127.0.0.1\",name=\"orders\",pool_mode=\"\",port=\"{port}\"}}";
        Assert.Equal(10, AgentProcess.Sample(after, "pgbouncer_databases_pool_size" + databaseLabels));
        Assert.Equal(0, AgentProcess.Sample(after, "pgbouncer_databases_paused" + databaseLabels));
        Assert.Equal(0, AgentProcess.Sample(after, "pgbouncer_databases_disabled" + databaseLabels));
        Assert.Equal(1, AgentProcess.Sample(after, "pgbouncer_databases_current_connections" + databaseLabels));
        Assert.Equal(100, AgentProcess.Sample(after, "pgbouncer_config_max_client_connections"));
        Assert.Equal(2, AgentProcess.Sample(after, "pgbouncer_databases")); // orders and the admin console
        Assert.Equal(1, AgentProcess.Sample(after, "pgbouncer_used_servers"));
        Assert.NotNull(AgentProcess.Sample(after, "pgbouncer_used_clients"));
        Assert.NotNull(AgentProcess.Sample(after, "pgbouncer_pools"));
        Assert.Equal(0, AgentProcess.Sample(after, "sidepool_agent_draining"));
        Assert.Equal(0, AgentProcess.Sample(after, "sidepool_agent_pgbouncer_restarts_total") ?? 0);
        Assert.Contains("# TYPE pgbouncer_stats_totals_queries_pooled_total counter", after, StringComparison.Ordinal);
        Assert.Contains("# TYPE pgbouncer_pools_client_active_connections gauge", after, StringComparison.Ordinal);
        Assert.Contains("# HELP pgbouncer_up ", after, StringComparison.Ordinal);
        Assert.Contains($"sidepool_agent_config_info{{pool=\"orders-db\",revision=\"{agent.Rendered.ConfigRevision}\",version=\"{agent.Rendered.Version}\"}} 1", after, StringComparison.Ordinal);
        Assert.DoesNotContain(PoolFiles.Secrets.AdminPassword, after, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pgbouncer_up_is_0_and_no_pool_series_remain_when_the_admin_console_is_gone()
    {
        await using var agent = await AgentProcess.StartAsync(backend.Server, ["--max-restarts", "0"]);
        var pid = await agent.PgBouncerPidAsync();
        SidePool.Testing.ServiceUser.Signal(pid, SigStop);
        try
        {
            var metrics = await agent.GetAsync("/metrics");

            Assert.Equal(200, metrics.Status);
            Assert.Equal(0, AgentProcess.Sample(metrics.Body, "pgbouncer_up"));
            Assert.DoesNotContain("pgbouncer_pools_client_active_connections{", metrics.Body, StringComparison.Ordinal);
        }
        finally
        {
            SidePool.Testing.ServiceUser.Signal(pid, SigCont);
        }
    }

    private static double Delta(string before, string after, string series) =>
        (AgentProcess.Sample(after, series) ?? double.NaN) - (AgentProcess.Sample(before, series) ?? double.NaN);

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
