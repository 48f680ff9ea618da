using System.Diagnostics;
using Npgsql;
using SidePool.Testing;
using Xunit;
using Xunit.Abstractions;

namespace SidePool.Agent.Tests;

public sealed class DrainTests(TestBackend backend, ITestOutputHelper output) : IClassFixture<TestBackend>
{
    private const int Clients = 32;

    [Fact]
    public async Task Classic_mode_serves_the_apps_clients_until_they_are_gone_then_exits_0()
    {
        await using var agent = await AgentProcess.StartAsync(backend.Server, ["--drain-mode", "classic", "--drain-timeout", "30s"]);
        var load = new TransactionLoad(agent.AppConnectionString());
        load.Start(Clients);
        await load.WaitUntilRunningAsync(Clients, TimeSpan.FromSeconds(20));
        await Task.Delay(1000);

        var sigterm = Stopwatch.GetTimestamp();
        var committedAtSigterm = load.Committed;
        agent.Process.Signal(PosixSignalNumber.Term);
        var notReady = await agent.WaitForStatusAsync("/readyz", 503, TimeSpan.FromSeconds(5));
        await Task.Delay(1000); // the app keeps working while it finishes its requests
        var acceptedAfterSigterm = await load.OneShotAsync();
        var stillRunning = !agent.Process.HasExited;
        var committedBeforeStop = load.Committed;

        var stopRequested = Stopwatch.GetTimestamp();
        await load.StopAsync();
        var clientsGone = Stopwatch.GetElapsedTime(stopRequested);
        var exited = await agent.Process.WaitForExitAsync(TimeSpan.FromSeconds(20));
        var drainTime = Stopwatch.GetElapsedTime(sigterm);
        var afterStop = Stopwatch.GetElapsedTime(stopRequested);

        output.WriteLine($"classic: {load.Begun} transactions begun, {load.Committed} committed, {load.Errors.Count} errors; agent exited {drainTime.TotalMilliseconds:0} ms after SIGTERM, {afterStop.TotalMilliseconds:0} ms after the clients were told to stop (they were gone after {clientsGone.TotalMilliseconds:0} ms)");
        Assert.True(exited, agent.Process.Output);
        Assert.Empty(load.Errors);
        Assert.Equal(load.Begun, load.Committed);
        Assert.True(committedBeforeStop > committedAtSigterm + Clients, $"{committedAtSigterm} commits at SIGTERM, {committedBeforeStop} a second later: the pooler must keep serving while draining");
        Assert.Contains("draining", notReady, StringComparison.Ordinal);
        Assert.True(acceptedAfterSigterm, "a new client was refused while draining");
        Assert.True(stillRunning, "the agent exited while clients were connected");
        Assert.Equal(0, agent.Process.ExitCode);
        Assert.Contains(agent.Process.Lines, l => l.Contains("no application client left", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Native_mode_finishes_in_flight_work_and_exits_0_promptly()
    {
        await using var agent = await AgentProcess.StartAsync(backend.Server, ["--drain-mode", "native", "--drain-timeout", "10s"]);
        var load = new TransactionLoad(agent.AppConnectionString());
        load.Start(Clients);
        await load.WaitUntilRunningAsync(Clients, TimeSpan.FromSeconds(20));
        await Task.Delay(1000);
        await load.StopAsync(); // the kubelet signals a native sidecar after the app containers exited

        // one transaction still running on the server when SIGTERM arrives
        await using var straggler = new NpgsqlConnection(agent.AppConnectionString("straggler"));
        await straggler.OpenAsync();
        await using (var begin = new NpgsqlCommand("BEGIN", straggler))
        {
            await begin.ExecuteNonQueryAsync();
        }

        var work = new NpgsqlCommand("SELECT pg_sleep(1)", straggler).ExecuteNonQueryAsync();
        await Task.Delay(200);
        var sigterm = Stopwatch.GetTimestamp();
        agent.Process.Signal(PosixSignalNumber.Term);
        await work;
        await using (var commit = new NpgsqlCommand("COMMIT", straggler))
        {
            await commit.ExecuteNonQueryAsync();
        }

        var exited = await agent.Process.WaitForExitAsync(TimeSpan.FromSeconds(15));
        var drainTime = Stopwatch.GetElapsedTime(sigterm);

        output.WriteLine($"native: {load.Begun} transactions begun, {load.Committed} committed, {load.Errors.Count} errors; straggler committed; agent exited {drainTime.TotalMilliseconds:0} ms after SIGTERM");
        Assert.True(exited, agent.Process.Output);
        Assert.Empty(load.Errors);
        Assert.Equal(load.Begun, load.Committed);
        Assert.Equal(0, agent.Process.ExitCode);
        Assert.Contains(agent.Process.Lines, l => l.Contains("PAUSE", StringComparison.Ordinal));
    }

    /// <summary>
    /// The agent's own backend check is no app client: with the database gone, a check that timed out on the agent's
    /// side can stay queued in PgBouncer, and a classic drain waited for it until query_wait_timeout dropped it (found
    /// by the image tests: ~24 s after SIGTERM with no app client at all).
    /// </summary>
    [Fact]
    public async Task A_classic_drain_does_not_wait_for_the_agents_own_backend_check()
    {
        await using var agent = await AgentProcess.StartAsync(backend.Server, ["--drain-mode", "classic", "--drain-timeout", "60s"]);
        await using var check = new NpgsqlConnection(agent.AppConnectionString("sidepool-agent-backend-check"));
        await check.OpenAsync(); // stands for a check left behind in PgBouncer

        var sigterm = Stopwatch.GetTimestamp();
        agent.Process.Signal(PosixSignalNumber.Term);
        var exited = await agent.Process.WaitForExitAsync(TimeSpan.FromSeconds(20));

        Assert.True(exited, $"still draining after 20 s:\n{agent.Process.Output}");
        Assert.True(Stopwatch.GetElapsedTime(sigterm) < TimeSpan.FromSeconds(20));
        Assert.Contains(agent.Process.Lines, l => l.Contains("no application client left", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_second_sigterm_forces_the_exit()
    {
        await using var agent = await AgentProcess.StartAsync(backend.Server, ["--drain-mode", "classic", "--drain-timeout", "60s"]);
        await using var client = new NpgsqlConnection(agent.AppConnectionString("lingering"));
        await client.OpenAsync();

        agent.Process.Signal(PosixSignalNumber.Term);
        await agent.WaitForStatusAsync("/readyz", 503, TimeSpan.FromSeconds(5));
        var exitedEarly = await agent.Process.WaitForExitAsync(TimeSpan.FromMilliseconds(500));
        agent.Process.Signal(PosixSignalNumber.Term);
        var exited = await agent.Process.WaitForExitAsync(TimeSpan.FromSeconds(10));

        Assert.False(exitedEarly, "the agent must wait for the lingering client");
        Assert.True(exited, agent.Process.Output);
        Assert.True(agent.Process.ExitCode == 1, $"exit code {agent.Process.ExitCode}:\n{agent.Process.Output}");
    }

    [Fact]
    public async Task Classic_drain_timeout_pauses_and_stops_with_clients_left()
    {
        await using var agent = await AgentProcess.StartAsync(backend.Server, ["--drain-mode", "classic", "--drain-timeout", "1s"]);
        await using var client = new NpgsqlConnection(agent.AppConnectionString("lingering"));
        await client.OpenAsync();

        var sigterm = Stopwatch.GetTimestamp();
        agent.Process.Signal(PosixSignalNumber.Term);
        var exited = await agent.Process.WaitForExitAsync(TimeSpan.FromSeconds(15));

        Assert.True(exited, agent.Process.Output);
        Assert.True(Stopwatch.GetElapsedTime(sigterm) >= TimeSpan.FromSeconds(1));
        Assert.Contains(agent.Process.Lines, l => l.Contains("drain timeout: 1 application client(s) still connected", StringComparison.Ordinal));
        Assert.Equal(1, agent.Process.ExitCode);
    }
}
