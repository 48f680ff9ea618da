using System.Diagnostics;
using Npgsql;
using SidePool.Contract;
using Xunit;

namespace SidePool.Agent.Tests;

/// <summary>
/// <c>GET /load</c> and the load metrics of the real agent in front of a real PgBouncer and PostgreSQL: an overloaded
/// pool, a quiet one, and clients closed by each counted timeout. Bounds are loose on purpose (loaded 2-core
/// machine); the exact arithmetic is <see cref="LoadWindowTests"/>'.
/// </summary>
public sealed class LoadTests(TestBackend backend) : IClassFixture<TestBackend>
{
    private static readonly TimeSpan LoadDuration = TimeSpan.FromSeconds(8);

    [Fact]
    public async Task An_overloaded_pool_shows_full_use_long_waits_and_demand_above_its_size()
    {
        await using var agent = await AgentProcess.StartAsync(backend.Server, ["--backend-check-interval", "1h"], poolSize: 2);
        var load = new TransactionLoad(agent.AppConnectionString("overload"), sleepSeconds: 0.05);
        load.Start(8);
        await load.WaitUntilRunningAsync(8, TimeSpan.FromSeconds(20));
        var before = await ReportAsync(agent);
        await Task.Delay(LoadDuration);
        var after = await ReportAsync(agent);
        var metrics = (await agent.GetAsync("/metrics")).Body;
        await load.StopAsync();

        // what the window added while the load ran (no tick left the 300 s window in between)
        var during = Difference(before, after);
        var utilisation = (double)during.ServerActive / during.ServerCapacity;
        var waitP95 = LoadWindowTests.WaitPercentileMs(during.WaitBuckets, 0.95);
        var demandP95 = LoadWindowTests.Percentile(during.Demand, 0.95);
        var summary = $"utilisation {utilisation:0.###}, wait p95 ≤ {waitP95} ms, demand p95 {demandP95}, {during.Samples} samples, {during.Transactions} transactions; before {LoadMessages.ToJson(before)}; after {LoadMessages.ToJson(after)}";
        Console.WriteLine($"overloaded pool (size 2, 8 clients): {summary}");

        Assert.Empty(load.Errors);
        Assert.True(during.Samples >= 4, summary);
        Assert.Equal(2 * during.Samples, during.ServerCapacity); // one pool of size 2 in every sample
        Assert.True(utilisation >= 0.9, summary);
        Assert.True(waitP95 >= 20, summary);
        Assert.True(demandP95 > 2, summary);
        Assert.True(during.Transactions > 0 && during.Transactions <= load.Committed + 8, summary);
        Assert.True(after.MaxWaitMs > 0, summary);
        Assert.True(during.TransactionMicroseconds >= 50_000 * during.Transactions, summary); // pg_sleep(0.05) in each

        var waited = AgentProcess.Sample(metrics, "sidepool_agent_client_wait_seconds_count") ?? 0;
        var quick = AgentProcess.Sample(metrics, "sidepool_agent_client_wait_seconds_bucket{le=\"0.02\"}") ?? 0;
        Assert.True(waited >= during.Transactions, $"{waited} transactions in the histogram; {summary}");
        Assert.True(quick < waited / 2, $"{quick} of {waited} transactions waited ≤ 20 ms; {summary}");
        Assert.True(AgentProcess.Sample(metrics, "sidepool_agent_server_utilisation_ratio") > 0.5, summary);
    }

    [Fact]
    public async Task A_quiet_pool_shows_low_use_and_no_wait()
    {
        await using var agent = await AgentProcess.StartAsync(backend.Server, ["--backend-check-interval", "1h"], poolSize: 10);
        await using var connection = new NpgsqlConnection(agent.AppConnectionString("quiet"));
        await connection.OpenAsync();
        await ExecuteAsync(connection, "SELECT 1");
        var before = await ReportAsync(agent);
        var clock = Stopwatch.StartNew();
        var transactions = 0;
        while (clock.Elapsed < TimeSpan.FromSeconds(5))
        {
            await ExecuteAsync(connection, "BEGIN");
            await ExecuteAsync(connection, "SELECT pg_sleep(0.01)");
            await ExecuteAsync(connection, "COMMIT");
            transactions++;
            await Task.Delay(200);
        }

        var after = await ReportAsync(agent);
        var during = Difference(before, after);
        var utilisation = (double)during.ServerActive / during.ServerCapacity;
        var waitP95 = LoadWindowTests.WaitPercentileMs(during.WaitBuckets, 0.95);
        var demandP95 = LoadWindowTests.Percentile(during.Demand, 0.95);
        var summary = $"utilisation {utilisation:0.###}, wait p95 ≤ {waitP95} ms, demand p95 {demandP95}, {during.Samples} samples, {during.Transactions} of {transactions} transactions; after {LoadMessages.ToJson(after)}";
        Console.WriteLine($"quiet pool (size 10, 1 client, 5 transactions/s): {summary}");

        Assert.True(during.Samples >= 3, summary);
        Assert.Equal(10 * during.Samples, during.ServerCapacity);
        Assert.True(utilisation <= 0.1, summary);
        Assert.True(demandP95 <= 1, summary);
        Assert.True(waitP95 <= 20, summary);
        Assert.True(during.Transactions >= 5 && during.Transactions <= transactions + 2, summary); // + the warm-up SELECT 1 and the start's backend check
    }

    [Fact]
    public async Task A_client_idle_in_transaction_past_idle_transaction_timeout_is_counted_once()
    {
        await using var agent = await AgentProcess.StartAsync(backend.Server, ["--backend-check-interval", "1h"], parameters: new Dictionary<string, string> { ["idle_transaction_timeout"] = "1s" });
        await using var connection = new NpgsqlConnection(agent.AppConnectionString("idle-in-transaction"));
        await connection.OpenAsync();
        await ExecuteAsync(connection, "BEGIN");
        await ExecuteAsync(connection, "SELECT 1");

        var report = await WaitForClosedAsync(agent, VersionContract.Load.IdleTransactionTimeout);
        var error = await Assert.ThrowsAnyAsync<Exception>(() => ExecuteAsync(connection, "SELECT 2"));

        await AssertCountedOnceAsync(agent, report, VersionContract.Load.IdleTransactionTimeout);
        Assert.Contains("idle transaction timeout", error.Message + error.InnerException?.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_client_waiting_for_a_server_past_query_wait_timeout_is_counted_once()
    {
        await using var agent = await AgentProcess.StartAsync(backend.Server, ["--backend-check-interval", "1h"], poolSize: 1, acquisitionTimeout: "1s");
        await using var holder = new NpgsqlConnection(agent.AppConnectionString("holds-the-server"));
        await holder.OpenAsync();
        await using var waiter = new NpgsqlConnection(agent.AppConnectionString("waits"));
        await waiter.OpenAsync();
        await ExecuteAsync(holder, "BEGIN");
        await ExecuteAsync(holder, "SELECT 1"); // the pool's one server stays with this client until COMMIT

        var error = await Assert.ThrowsAnyAsync<Exception>(() => ExecuteAsync(waiter, "SELECT 2"));
        var report = await WaitForClosedAsync(agent, VersionContract.Load.QueryWaitTimeout);
        await ExecuteAsync(holder, "COMMIT");

        await AssertCountedOnceAsync(agent, report, VersionContract.Load.QueryWaitTimeout);
        Assert.Contains("query_wait_timeout", error.Message + error.InnerException?.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0")] // SidePool's default: PgBouncer logs only "pooler error: client_idle_timeout"
    [InlineData("1")] // and "closing because: client_idle_timeout (age=1s)" before it
    public async Task A_client_idle_past_client_idle_timeout_is_counted_once(string logDisconnections)
    {
        var parameters = new Dictionary<string, string> { ["client_idle_timeout"] = "1s", ["log_disconnections"] = logDisconnections };
        await using var agent = await AgentProcess.StartAsync(backend.Server, ["--backend-check-interval", "1h"], parameters: parameters);
        await using var connection = new NpgsqlConnection(agent.AppConnectionString("idle-client"));
        await connection.OpenAsync();
        await ExecuteAsync(connection, "SELECT 1");

        var report = await WaitForClosedAsync(agent, VersionContract.Load.ClientIdleTimeout);
        var error = await Assert.ThrowsAnyAsync<Exception>(() => ExecuteAsync(connection, "SELECT 2"));

        await AssertCountedOnceAsync(agent, report, VersionContract.Load.ClientIdleTimeout);
        Assert.Contains("client_idle_timeout", error.Message + error.InnerException?.Message, StringComparison.Ordinal);
        Assert.Equal(logDisconnections == "1", agent.Process.Lines.Any(l => l.Contains("closing because: client_idle_timeout", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Load_is_json_and_other_paths_name_it()
    {
        await using var agent = await AgentProcess.StartAsync(backend.Server, ["--backend-check-interval", "1h"]);

        var load = await agent.GetAsync(VersionContract.Load.Path);
        var missing = await agent.GetAsync("/nope");

        Assert.Equal(200, load.Status);
        var report = LoadMessages.Parse(load.Body);
        Assert.Equal(VersionContract.Load.Timeouts.Order(StringComparer.Ordinal), report.Closed.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(404, missing.Status);
        Assert.Contains("/load", missing.Body, StringComparison.Ordinal);
    }

    private static async Task AssertCountedOnceAsync(AgentProcess agent, LoadReport report, string timeout)
    {
        var metrics = (await agent.GetAsync("/metrics")).Body;
        foreach (var other in VersionContract.Load.Timeouts)
        {
            var expected = other == timeout ? 1 : 0;
            Assert.Equal(expected, report.Closed[other]);
            Assert.Equal(expected, AgentProcess.Sample(metrics, $"sidepool_agent_clients_closed_total{{timeout=\"{other}\"}}"));
        }
    }

    /// <summary>Polls /load until it counts a client closed by <paramref name="timeout"/>, then one more second (a second count would show).</summary>
    private static async Task<LoadReport> WaitForClosedAsync(AgentProcess agent, string timeout)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            var report = await ReportAsync(agent);
            if (report.Closed.GetValueOrDefault(timeout) > 0)
            {
                await Task.Delay(1500);
                return await ReportAsync(agent);
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"/load counted no client closed by {timeout} within 20 s. Agent output:\n{agent.Process.Output}");
    }

    private static async Task<LoadReport> ReportAsync(AgentProcess agent)
    {
        var (status, body) = await agent.GetAsync(VersionContract.Load.Path);
        Assert.True(status == 200, $"/load answered {status}: {body}");
        return LoadMessages.Parse(body);
    }

    private static LoadReport Difference(LoadReport before, LoadReport after) => new()
    {
        Seconds = after.Seconds - before.Seconds,
        Samples = after.Samples - before.Samples,
        ServerActive = after.ServerActive - before.ServerActive,
        ServerCapacity = after.ServerCapacity - before.ServerCapacity,
        Transactions = after.Transactions - before.Transactions,
        WaitBuckets = Subtract(after.WaitBuckets, before.WaitBuckets),
        Demand = Subtract(after.Demand, before.Demand),
        MaxWaitMs = after.MaxWaitMs,
        TransactionMicroseconds = after.TransactionMicroseconds - before.TransactionMicroseconds,
        QueryMicroseconds = after.QueryMicroseconds - before.QueryMicroseconds,
    };

    private static long[] Subtract(IReadOnlyList<long> after, IReadOnlyList<long> before) =>
        [.. Enumerable.Range(0, Math.Max(after.Count, before.Count)).Select(i => (i < after.Count ? after[i] : 0) - (i < before.Count ? before[i] : 0))];

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
