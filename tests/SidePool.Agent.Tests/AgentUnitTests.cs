using System.Net.Sockets;
using System.Text;
using SidePool.Agent.Configuration;
using SidePool.Agent.Http;
using SidePool.PgBouncer.Admin;
using Xunit;

namespace SidePool.Agent.Tests;

public sealed class AgentUnitTests
{
    [Fact]
    public void Options_parse_flags_and_durations()
    {
        var options = AgentCommandLine.Parse(["--config-dir", "/cfg", "--drain-mode=native", "--drain-timeout", "1m", "--ready-cache", "250ms", "--http-port", "9000", "--max-restarts", "3"]);

        Assert.Equal("/cfg", options.ConfigDirectory);
        Assert.Equal(DrainMode.Native, options.DrainMode);
        Assert.Equal(TimeSpan.FromMinutes(1), options.DrainTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(250), options.ReadyCache);
        Assert.Equal(9000, options.HttpPort);
        Assert.Equal(3, options.MaxRestarts);
        Assert.Equal(DrainMode.Classic, AgentCommandLine.Parse([]).DrainMode);
        Assert.Throws<ArgumentException>(() => AgentCommandLine.Parse(["--drain-mode", "sometimes"]));
        Assert.Throws<ArgumentException>(() => AgentCommandLine.Parse(["--nope", "1"]));
        Assert.Throws<ArgumentException>(() => AgentCommandLine.Parse(["--drain-timeout"]));
    }

    [Fact]
    public void Options_parse_the_runtime_readiness_and_backend_check_flags()
    {
        var options = AgentCommandLine.Parse(["--runtime-dir", "/run/x", "--socket-dir=/tmp/s", "--readiness", "backend", "--backend-check-interval", "500ms"]);
        var defaults = AgentCommandLine.Parse([]);

        Assert.Equal("/run/x", options.RuntimeDirectory);
        Assert.Equal("/tmp/s", options.SocketDirectory);
        Assert.Equal(ReadinessMode.Backend, options.Readiness);
        Assert.Equal(TimeSpan.FromMilliseconds(500), options.BackendCheckInterval);
        Assert.Equal("/var/lib/sidepool", defaults.RuntimeDirectory);
        Assert.Null(defaults.SocketDirectory);
        Assert.Equal(ReadinessMode.Pooler, defaults.Readiness);
        Assert.Equal(TimeSpan.FromSeconds(5), defaults.BackendCheckInterval);
        Assert.Equal("--readiness: expected pooler or backend, got 'db'", Assert.Throws<ArgumentException>(() => AgentCommandLine.Parse(["--readiness", "db"])).Message);
        Assert.Equal("--backend-check-interval: must be more than 0", Assert.Throws<ArgumentException>(() => AgentCommandLine.Parse(["--backend-check-interval", "0"])).Message);
    }

    [Fact]
    public void A_repeated_flag_takes_its_last_value()
    {
        var options = AgentCommandLine.Parse(["--config-poll", "1s", "--http-port=1", "--config-poll", "1h", "--http-port", "2", "--drain-mode", "classic", "--drain-mode=native"]);

        Assert.Equal(TimeSpan.FromHours(1), options.ConfigPollInterval);
        Assert.Equal(2, options.HttpPort);
        Assert.Equal(DrainMode.Native, options.DrainMode);
        Assert.Equal("unexpected argument '2'", Assert.Throws<ArgumentException>(() => AgentCommandLine.Parse(["--http-port", "1", "2"])).Message);
    }

    [Theory]
    [InlineData("--x")]
    [InlineData("--x=1")]
    [InlineData("--x", "--config-dir", "/c")]
    public void An_unknown_option_is_named_whatever_follows(params string[] args)
    {
        Assert.Equal("unknown option --x", Assert.Throws<ArgumentException>(() => AgentCommandLine.Parse(args)).Message);
    }

    [Fact]
    public void The_agent_pins_the_same_restart_only_settings_the_renderer_lists()
    {
        Assert.Equal(
            SidePool.Core.PgBouncerSettings.NonReloadable.Order(StringComparer.Ordinal),
            SidePool.Agent.Configuration.RestartOnlySettings.Known.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Ini_rewrite_replaces_only_the_overridden_pgbouncer_settings()
    {
        const string text = ";; header\n[databases]\norders = host=db port=5432 user=app password='it''s'\n\n[pgbouncer]\nlisten_port = 7000\nLISTEN_ADDR = *\n; listen_port = 1 in a comment\nauth_file = /etc/sidepool/pool/userlist.txt\npool_mode = transaction\n";

        var rewritten = IniRewriter.Rewrite(text, new Dictionary<string, string?> { ["listen_port"] = "6432", ["listen_addr"] = null, ["auth_file"] = "/var/lib/sidepool/userlist.txt" });
        var ini = PgBouncerIni.Parse(rewritten);

        Assert.Equal("6432", ini.Setting("listen_port"));
        Assert.Null(ini.Setting("listen_addr"));
        Assert.Equal("/var/lib/sidepool/userlist.txt", ini.Setting("auth_file"));
        Assert.Equal("transaction", ini.Setting("pool_mode"));
        Assert.Equal("host=db port=5432 user=app password='it''s'", ini.Databases["orders"]);
        Assert.Contains("; listen_port = 1 in a comment\n", rewritten, StringComparison.Ordinal);
        Assert.StartsWith(";; header\n[databases]\n", rewritten, StringComparison.Ordinal);
        Assert.EndsWith("pool_mode = transaction\n", rewritten, StringComparison.Ordinal);
    }

    [Fact]
    public void Restart_only_settings_are_compared_key_by_key()
    {
        var running = new Dictionary<string, string> { ["listen_port"] = "6432", ["unix_socket_dir"] = "/run/a" };
        var mounted = new Dictionary<string, string> { ["listen_port"] = "6433", ["unix_socket_dir"] = "/run/a", ["listen_addr"] = "127.0.0.1" };

        Assert.Equal(["listen_addr", "listen_port"], ConfigReloader.ChangedRestartSettings(running, mounted));
        Assert.Empty(ConfigReloader.ChangedRestartSettings(running, running));
    }

    [Fact]
    public void Reload_verification_spots_values_pgbouncer_did_not_take()
    {
        var ini = PgBouncerIni.Parse("[databases]\nd = host=x\n[pgbouncer]\ndefault_pool_size = 7\npool_mode = transaction\nquery_wait_timeout = 30\nlisten_port = 7000\nauth_file = /x\n");
        ConfigSetting[] running =
        [
            new("default_pool_size", "10", "20", true),
            new("pool_mode", "session", "session", true),
            new("query_wait_timeout", "30", "120", true),
            new("listen_port", "6432", "6432", false),
            new("auth_file", "/other", "", true),
        ];

        var mismatches = ConfigReloader.Mismatches(ini, running);

        Assert.Equal(2, mismatches.Count);
        Assert.Contains(mismatches, m => m.StartsWith("default_pool_size is '10'", StringComparison.Ordinal));
        Assert.Contains(mismatches, m => m.StartsWith("pool_mode is 'session'", StringComparison.Ordinal));
        Assert.Empty(ConfigReloader.Mismatches(ini, [new("default_pool_size", "7", "20", true), new("pool_mode", "TRANSACTION", "session", true)]));
    }

    [Theory]
    [InlineData("1.18.0", "classic", true, "PauseThenShutdown")]
    [InlineData("1.18.0", "native", true, "PauseThenShutdown")]
    [InlineData("1.22.1", "classic", true, "PauseThenShutdown")]
    [InlineData("1.23.0", "classic", true, "ShutdownWaitForClients")]
    [InlineData("1.23.0", "classic", false, "PauseThenShutdown")]
    [InlineData("1.24.1", "native", false, "ShutdownWaitForServers")]
    public void Stop_plan_follows_the_pgbouncer_version(string version, string mode, bool clientsGone, string expected)
    {
        var drainMode = AgentCommandLine.Parse(["--drain-mode", mode]).DrainMode;
        Assert.Equal(expected, StopPlans.Choose(PgBouncerVersion.Parse(version), drainMode, clientsGone).ToString());
    }

    [Fact]
    public void Immediate_exit_signal_follows_the_pgbouncer_version()
    {
        Assert.Equal(15, StopPlans.ImmediateExitSignal(PgBouncerVersion.Parse("1.18.0")));
        Assert.Equal(3, StopPlans.ImmediateExitSignal(PgBouncerVersion.Parse("1.23.0")));
    }

    [Fact]
    public async Task Health_server_answers_get_head_and_refuses_other_methods()
    {
        await using var server = new HealthServer("127.0.0.1", 0, (path, _) => Task.FromResult(path == "/ok" ? HttpResponse.Text(200, "fine") : HttpResponse.Text(404, "no")));
        server.Start();

        var get = await RawAsync(server.Port, "GET /ok?x=1 HTTP/1.1\r\nHost: a\r\n\r\n");
        var head = await RawAsync(server.Port, "HEAD /ok HTTP/1.1\r\nHost: a\r\n\r\n");
        var post = await RawAsync(server.Port, "POST /ok HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n");
        var garbage = await RawAsync(server.Port, "hello\r\n\r\n");
        var missing = await RawAsync(server.Port, "GET /missing HTTP/1.0\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 200 OK\r\n", get, StringComparison.Ordinal);
        Assert.Contains("Content-Length: 5\r\n", get, StringComparison.Ordinal);
        Assert.EndsWith("\r\n\r\nfine\n", get, StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 200 OK\r\n", head, StringComparison.Ordinal);
        Assert.EndsWith("\r\n\r\n", head, StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 405 ", post, StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 400 ", garbage, StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 404 ", missing, StringComparison.Ordinal);
    }

    private static async Task<string> RawAsync(int port, string request)
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return await reader.ReadToEndAsync();
    }
}
