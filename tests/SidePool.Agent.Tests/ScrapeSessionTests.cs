using Npgsql;
using Xunit;

namespace SidePool.Agent.Tests;

/// <summary>
/// /metrics reads PgBouncer over one admin session the agent keeps open (a SCRAM login per scrape cost more than the
/// rest of the scrape), and that session, like the load sampler's own, is closed as the drain begins: an open admin session is a client, and on
/// PgBouncer 1.23+ would keep <c>SHUTDOWN WAIT_FOR_CLIENTS</c> from ever finishing.
/// </summary>
public sealed class ScrapeSessionTests(TestBackend backend) : IClassFixture<TestBackend>
{
    /// <summary>PgBouncer's log line for an admin console login of the agent over the unix socket.</summary>
    private const string AdminLogin = "pgbouncer/sidepool-agent@unix";

    private static readonly Dictionary<string, string> LogConnections = new() { ["log_connections"] = "1" };

    [Fact]
    public async Task Scrapes_reuse_one_admin_session_instead_of_logging_in_each_time()
    {
        await using var agent = await AgentProcess.StartAsync(backend.Server, ["--backend-check-interval", "1h"], parameters: LogConnections);
        var first = await agent.GetAsync("/metrics");
        await WaitForLoadSessionAsync(agent); // the load sampler's own kept session logs in once, at its first sample
        await Task.Delay(200); // PgBouncer's log lines of the first scrape's login reach the agent's output
        var loginsBefore = AdminLogins(agent);

        var scrapes = new List<(int Status, string Body)>();
        for (var i = 0; i < 20; i++)
        {
            scrapes.Add(await agent.GetAsync("/metrics"));
        }

        await Task.Delay(200);
        var logins = AdminLogins(agent) - loginsBefore;

        Assert.Equal(1, AgentProcess.Sample(first.Body, "pgbouncer_up"));
        Assert.All(scrapes, s => Assert.Equal(1, AgentProcess.Sample(s.Body, "pgbouncer_up")));
        Assert.True(loginsBefore >= 1, $"the first scrape's login is not in PgBouncer's log:\n{agent.Process.Output}");
        Assert.Equal(0, logins);
    }

    [Fact]
    public async Task The_kept_session_is_reopened_after_pgbouncer_restarted()
    {
        await using var agent = await AgentProcess.StartAsync(backend.Server);
        Assert.Equal(1, await agent.MetricAsync("pgbouncer_up"));
        var pid = await agent.PgBouncerPidAsync();

        SidePool.Testing.ServiceUser.Signal(pid, SidePool.Testing.PosixSignalNumber.Kill);
        await agent.PgBouncerPidAsync(occurrence: 2);
        await agent.WaitForStatusAsync("/healthz", 200, TimeSpan.FromSeconds(20));

        Assert.Equal(1, await agent.MetricAsync("pgbouncer_up"));
    }

    [Fact]
    public async Task The_drain_closes_the_kept_session_while_application_clients_are_still_served()
    {
        await using var agent = await AgentProcess.StartAsync(backend.Server, ["--drain-timeout", "20s"]);
        var admin = agent.Admin();
        Assert.Equal(1, await agent.MetricAsync("pgbouncer_up"));
        await WaitForLoadSessionAsync(agent);
        var keptBefore = (await admin.ShowClientsAsync()).Count(IsKeptSession);
        await using var app = new NpgsqlConnection(agent.AppConnectionString("app-still-working"));
        await app.OpenAsync();

        agent.Process.Signal(SidePool.Testing.PosixSignalNumber.Term);
        await agent.WaitForStatusAsync("/readyz", 503, TimeSpan.FromSeconds(10));
        var keptDuringDrain = -1;
        for (var i = 0; i < 50 && keptDuringDrain != 0; i++)
        {
            keptDuringDrain = (await admin.ShowClientsAsync()).Count(IsKeptSession);
            await Task.Delay(100);
        }

        var appStillServed = false;
        await using (var command = new NpgsqlCommand("SELECT 1", app))
        {
            appStillServed = await command.ExecuteScalarAsync() is 1;
        }

        Assert.Equal(2, keptBefore); // the metrics session and the load sampler's
        Assert.Equal(0, keptDuringDrain);
        Assert.True(appStillServed);
        Assert.False(agent.Process.HasExited);
    }

    private static bool IsKeptSession(SidePool.PgBouncer.Admin.ClientConnection client) =>
        client.IsAdminSession && client.ApplicationName is "sidepool-agent-metrics" or "sidepool-agent-load";

    /// <summary>Waits until the load sampler answered a sample (its kept admin session is open).</summary>
    private static async Task WaitForLoadSessionAsync(AgentProcess agent)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (SidePool.Contract.LoadMessages.Parse((await agent.GetAsync(SidePool.Contract.VersionContract.Load.Path)).Body).Samples == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, $"no load sample within 10 s:\n{agent.Process.Output}");
            await Task.Delay(50);
        }
    }

    private static int AdminLogins(AgentProcess agent) =>
        agent.Process.Lines.Count(l => l.Contains(AdminLogin, StringComparison.Ordinal) && l.Contains("login attempt", StringComparison.Ordinal));
}
