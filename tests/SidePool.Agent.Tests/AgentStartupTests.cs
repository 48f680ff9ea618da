using Npgsql;
using SidePool.Testing;
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

        await using var agent = SidePool.Testing.ManagedProcess.Start(AgentProcess.Binary, ["--config-dir", mount.Directory, "--http-port", "0"]);
        var exited = await agent.WaitForExitAsync(TimeSpan.FromSeconds(20));

        Assert.True(exited);
        Assert.Equal(1, agent.ExitCode);
        Assert.Contains(agent.Lines, l => l.Contains("cannot start", StringComparison.Ordinal) && l.Contains("sidepool.json", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Bad_flags_exit_2_with_usage()
    {
        await using var agent = SidePool.Testing.ManagedProcess.Start(AgentProcess.Binary, ["--drain-mode", "sometimes"]);
        var exited = await agent.WaitForExitAsync(TimeSpan.FromSeconds(20));

        Assert.True(exited);
        Assert.Equal(2, agent.ExitCode);
        Assert.Contains(agent.Lines, l => l.Contains("expected native or classic", StringComparison.Ordinal));
        Assert.Contains(agent.Lines, l => l.Contains("usage: sidepool-agent", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Errors_carry_real_messages_not_resource_keys()
    {
        var missing = $"/nonexistent-{Guid.NewGuid():N}";
        await using var agent = SidePool.Testing.ManagedProcess.Start(AgentProcess.Binary, ["--config-dir", missing, "--http-port", "0"]);
        var exited = await agent.WaitForExitAsync(TimeSpan.FromSeconds(20));

        Assert.True(exited);
        Assert.Equal(1, agent.ExitCode);
        var line = Assert.Single(agent.Lines, l => l.Contains("cannot start", StringComparison.Ordinal));
        Assert.Contains($"Could not find a part of the path '{missing}'", line, StringComparison.Ordinal);
        Assert.DoesNotContain("IO_PathNotFound", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--x")]
    [InlineData("--x=1")]
    [InlineData("--nope", "1")]
    public async Task An_unknown_option_is_named(params string[] args)
    {
        await using var agent = SidePool.Testing.ManagedProcess.Start(AgentProcess.Binary, args);
        var exited = await agent.WaitForExitAsync(TimeSpan.FromSeconds(20));

        Assert.True(exited);
        Assert.Equal(2, agent.ExitCode);
        Assert.Equal($"sidepool-agent: unknown option {args[0].Split('=')[0]}", agent.Lines[0]);
    }

    [Fact]
    public async Task Version_and_help_print_and_exit_0()
    {
        await using var version = SidePool.Testing.ManagedProcess.Start(AgentProcess.Binary, ["--version"]);
        await using var help = SidePool.Testing.ManagedProcess.Start(AgentProcess.Binary, ["--help"]);
        Assert.True(await version.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        Assert.True(await help.WaitForExitAsync(TimeSpan.FromSeconds(20)));

        Assert.Equal(0, version.ExitCode);
        Assert.Equal(["sidepool-agent 0.1.0"], version.Lines);
        Assert.Equal(0, help.ExitCode);
        Assert.StartsWith("usage: sidepool-agent", help.Lines[0], StringComparison.Ordinal);
        foreach (var flag in new[] { "--config-dir", "--runtime-dir", "--socket-dir", "--readiness", "--backend-check-interval", "--version", "--help" })
        {
            Assert.Contains(help.Lines, l => l.TrimStart().StartsWith(flag + " ", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Socket_dir_overrides_the_mounted_socket_directory()
    {
        using var sockets = new SidePool.Testing.TestDirectory("sock");
        await using var agent = await AgentProcess.StartAsync(backend.Server, ["--socket-dir", sockets.FullPath]);

        var health = await agent.GetAsync("/healthz");
        var ini = await File.ReadAllTextAsync(Path.Combine(agent.RuntimeDirectory, "pgbouncer.ini"));

        Assert.Equal(200, health.Status);
        Assert.True(File.Exists(Path.Combine(sockets.FullPath, $".s.PGSQL.{agent.ListenPort}")));
        Assert.False(File.Exists(Path.Combine(agent.SocketDirectory, $".s.PGSQL.{agent.ListenPort}")));
        Assert.Contains($"unix_socket_dir = {sockets.FullPath}\n", ini, StringComparison.Ordinal);
    }
}
