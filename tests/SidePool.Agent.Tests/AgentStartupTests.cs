using Npgsql;
using Xunit;
using Xunit.Abstractions;

namespace SidePool.Agent.Tests;

public sealed class AgentStartupTests(TestBackend backend, ITestOutputHelper output) : IClassFixture<TestBackend>
{
    [Fact]
    public async Task Starts_pgbouncer_and_serves_health_readiness_and_clients()
    {
        await using var agent = await AgentProcess.StartAsync(backend.Server);
        output.WriteLine($"time to /healthz 200: {agent.TimeToHealthy.TotalMilliseconds:0} ms");

        var health = await agent.GetAsync("/healthz");
        var ready = await agent.WaitForStatusAsync("/readyz", 200, TimeSpan.FromSeconds(10));
        await using var connection = new NpgsqlConnection(agent.AppConnectionString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT current_user", connection);
        var user = await command.ExecuteScalarAsync();
        var missing = await agent.GetAsync("/nope");

        Assert.Equal(200, health.Status);
        Assert.Contains("pgbouncer 1.18.0", health.Body, StringComparison.Ordinal);
        Assert.Contains("ready", ready, StringComparison.Ordinal);
        Assert.Equal(TestBackend.User, user);
        Assert.Equal(404, missing.Status);
        Assert.Contains(agent.Process.Lines, l => l.StartsWith("[pgbouncer] ", StringComparison.Ordinal));
        var rss = File.ReadAllLines($"/proc/{agent.Process.Id}/status").Single(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        output.WriteLine($"agent {rss}");
    }

    [Fact]
    public async Task An_invalid_mount_at_start_exits_1_naming_the_problem()
    {
        using var directory = new SidePool.Testing.TestDirectory("bad");
        var mount = new PoolMount(directory);
        var files = new Dictionary<string, string>(PoolFiles.Render(mount.Directory, directory.PathOf("run"), backend.Server.Port, 6432, TestBackend.Password).Files);
        files.Remove("sidepool.json");
        mount.Publish(files);

        await using var agent = SidePool.Testing.ManagedProcess.Start(Path.Combine(AppContext.BaseDirectory, "sidepool-agent"), ["--config-dir", mount.Directory, "--http-port", "0"]);
        var exited = await agent.WaitForExitAsync(TimeSpan.FromSeconds(20));

        Assert.True(exited);
        Assert.Equal(1, agent.ExitCode);
        Assert.Contains(agent.Lines, l => l.Contains("cannot start", StringComparison.Ordinal) && l.Contains("sidepool.json", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Bad_flags_exit_2_with_usage()
    {
        await using var agent = SidePool.Testing.ManagedProcess.Start(Path.Combine(AppContext.BaseDirectory, "sidepool-agent"), ["--drain-mode", "sometimes"]);
        var exited = await agent.WaitForExitAsync(TimeSpan.FromSeconds(20));

        Assert.True(exited);
        Assert.Equal(2, agent.ExitCode);
        Assert.Contains(agent.Lines, l => l.Contains("expected native or classic", StringComparison.Ordinal));
        Assert.Contains(agent.Lines, l => l.Contains("usage: sidepool-agent", StringComparison.Ordinal));
    }
}
