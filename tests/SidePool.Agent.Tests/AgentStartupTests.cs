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

    [Theory]
    [InlineData("--drain-mode: expected native or classic, got 'sometimes'", "--drain-mode", "sometimes")]
    [InlineData("--readiness: expected pooler or backend, got 'db'", "--readiness=db")]
    [InlineData("--drain-timeout needs a value", "--drain-timeout")]
    [InlineData("--drain-timeout needs a value", "--drain-timeout", "--config-dir", "/c")]
    [InlineData("--http-port: '70000' is not a port", "--http-port", "70000")]
    [InlineData("--ready-cache: 'soon' is not a duration", "--ready-cache", "soon")]
    [InlineData("unexpected argument 'stray'", "stray")]
    public async Task Bad_flags_exit_2_with_one_line_naming_the_flag(string error, params string[] args)
    {
        await using var agent = SidePool.Testing.ManagedProcess.Start(AgentProcess.Binary, args);
        var exited = await agent.WaitForExitAsync(TimeSpan.FromSeconds(20));

        Assert.True(exited);
        Assert.Equal(2, agent.ExitCode);
        Assert.Equal([$"sidepool-agent: {error} (see sidepool-agent --help)"], agent.Lines);
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
        Assert.Equal([$"sidepool-agent: unknown option {args[0].Split('=')[0]} (see sidepool-agent --help)"], agent.Lines);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    public async Task Version_and_help_print_and_exit_0(string helpFlag)
    {
        await using var version = SidePool.Testing.ManagedProcess.Start(AgentProcess.Binary, ["--version"]);
        await using var help = SidePool.Testing.ManagedProcess.Start(AgentProcess.Binary, [helpFlag]);
        Assert.True(await version.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        Assert.True(await help.WaitForExitAsync(TimeSpan.FromSeconds(20)));

        Assert.Equal(0, version.ExitCode);
        Assert.Equal([$"sidepool-agent {SidePool.Testing.SourceTree.DeclaredVersion()}"], version.Lines);
        Assert.Equal(0, help.ExitCode);
        Assert.Contains(help.Lines, l => l.Trim() == "sidepool-agent [options]");
        foreach (var flag in new[]
                 {
                     "--config-dir", "--runtime-dir", "--socket-dir", "--pgbouncer", "--http-address", "--http-port", "--readiness",
                     "--backend-check-interval", "--drain-mode", "--drain-timeout", "--shutdown-timeout", "--ready-cache",
                     "--probe-timeout", "--config-poll", "--max-restarts", "--restart-window", "--version", "--help",
                 })
        {
            Assert.Contains(help.Lines, l => l.TrimStart().Split(' ')[0].TrimEnd(',') == flag || l.TrimStart().Split(' ').Contains(flag));
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
