using Npgsql;
using SidePool.Testing;
using Xunit;
using Xunit.Abstractions;

namespace SidePool.Agent.Tests;

public sealed class CrashPolicyTests(TestBackend backend, ITestOutputHelper output) : IClassFixture<TestBackend>
{
    [Fact]
    public async Task A_killed_pgbouncer_is_restarted_in_process_and_counted()
    {
        await using var agent = await AgentProcess.StartAsync(backend.Server);
        var first = await agent.PgBouncerPidAsync(1);

        var killed = System.Diagnostics.Stopwatch.GetTimestamp();
        ServiceUser.Signal(first, PosixSignalNumber.Kill);
        var second = await agent.PgBouncerPidAsync(2);
        await agent.WaitForStatusAsync("/healthz", 200, TimeSpan.FromSeconds(10));
        var ready = await agent.WaitForStatusAsync("/readyz", 200, TimeSpan.FromSeconds(10));
        output.WriteLine($"pgbouncer back (healthz and readyz 200) {System.Diagnostics.Stopwatch.GetElapsedTime(killed).TotalMilliseconds:0} ms after kill -9");
        await using var connection = new NpgsqlConnection(agent.AppConnectionString());
        await connection.OpenAsync();
        var metrics = (await agent.GetAsync("/metrics")).Body;

        Assert.NotEqual(first, second);
        Assert.False(agent.Process.HasExited);
        Assert.StartsWith("ready", ready, StringComparison.Ordinal);
        Assert.Equal(1, AgentProcess.Sample(metrics, "sidepool_agent_pgbouncer_restarts_total"));
        Assert.Contains(agent.Process.Lines, l => l.Contains("exited unexpectedly with code 137 (signal 9)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task When_crashes_exceed_the_budget_the_agent_exits_non_zero_for_the_kubelet()
    {
        await using var agent = await AgentProcess.StartAsync(backend.Server, ["--max-restarts", "1", "--restart-window", "1m"]);

        ServiceUser.Signal(await agent.PgBouncerPidAsync(1), PosixSignalNumber.Kill);
        ServiceUser.Signal(await agent.PgBouncerPidAsync(2), PosixSignalNumber.Kill);
        var exited = await agent.Process.WaitForExitAsync(TimeSpan.FromSeconds(15));

        Assert.True(exited, agent.Process.Output);
        Assert.Equal(1, agent.Process.ExitCode);
        Assert.Contains(agent.Process.Lines, l => l.Contains("exiting so the kubelet restarts the container", StringComparison.Ordinal));
    }
}
