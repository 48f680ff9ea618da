using System.Globalization;
using Npgsql;
using SidePool.Core;
using SidePool.Testing;
using Xunit;
using Xunit.Abstractions;

namespace SidePool.Agent.Tests;

/// <summary>PgBouncer runs on the agent's private copy: a rejected mount never takes effect, not even after a crash.</summary>
public sealed class PrivateCopyTests(TestBackend backend, ITestOutputHelper output) : IClassFixture<TestBackend>
{
    [Theory]
    [InlineData("no admin user")]
    [InlineData("malformed line")]
    public async Task A_rejected_userlist_never_lets_its_password_in_not_even_after_a_pgbouncer_crash(string defect)
    {
        await using var agent = await AgentProcess.StartAsync(backend.Server, clientAuth: "scram");
        var oldPassword = agent.ClientPassword;
        var newPassword = ClientCredentials.GeneratePassword();
        var good = agent.Rendered;
        var userlist = defect == "no admin user"
            ? $"\"{TestBackend.User}\" \"{newPassword}\"\n"
            : good.Files["userlist.txt"].Replace(oldPassword, newPassword, StringComparison.Ordinal) + "\"unterminated \"x\n";
        Assert.True(await CanLogInAsync(agent, oldPassword));

        agent.PublishRaw(new Dictionary<string, string>(good.Files) { ["userlist.txt"] = userlist });
        var rejected = await agent.Process.WaitForLineAsync(l => l.Contains("mounted configuration rejected", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        await Task.Delay(1500); // PgBouncer would have re-read an auth_file it watches by now
        var newAfterReject = await CanLogInAsync(agent, newPassword);
        var oldAfterReject = await CanLogInAsync(agent, oldPassword);

        var first = await agent.PgBouncerPidAsync(1);
        ServiceUser.Signal(first, PosixSignalNumber.Kill);
        await agent.PgBouncerPidAsync(2);
        await agent.WaitForStatusAsync("/healthz", 200, TimeSpan.FromSeconds(10));
        var newAfterCrash = await CanLogInAsync(agent, newPassword);
        var oldAfterCrash = await CanLogInAsync(agent, oldPassword);
        output.WriteLine($"{defect}: {rejected}");

        Assert.Contains("userlist.txt", rejected, StringComparison.Ordinal);
        Assert.False(newAfterReject, "the rejected userlist.txt's password logged in");
        Assert.True(oldAfterReject, "the applied password must keep working");
        Assert.False(newAfterCrash, "after a crash restart the rejected userlist.txt's password logged in");
        Assert.True(oldAfterCrash, "after a crash restart the applied password must work");
        Assert.DoesNotContain(agent.Process.Lines, l => l.Contains(newPassword, StringComparison.Ordinal) || l.Contains(oldPassword, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_private_copy_is_private_and_points_pgbouncer_at_itself()
    {
        await using var agent = await AgentProcess.StartAsync(backend.Server);

        var runtime = agent.RuntimeDirectory;
        var ini = await File.ReadAllTextAsync(Path.Combine(runtime, "pgbouncer.ini"));
        var pgBouncerCommand = await File.ReadAllTextAsync($"/proc/{await agent.PgBouncerPidAsync()}/cmdline");

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(runtime));
        foreach (var name in new[] { "pgbouncer.ini", "userlist.txt", "pg_hba.conf" })
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(runtime, name)));
        }

        Assert.Contains($"auth_file = {Path.Combine(runtime, "userlist.txt")}\n", ini, StringComparison.Ordinal);
        Assert.Contains($"auth_hba_file = {Path.Combine(runtime, "pg_hba.conf")}\n", ini, StringComparison.Ordinal);
        Assert.DoesNotContain(agent.Mount.Directory, ini, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(runtime, "pgbouncer.ini"), pgBouncerCommand, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(runtime, "*.tmp"));
    }

    [Fact]
    public async Task A_restart_only_change_keeps_serving_on_the_running_port_also_after_a_crash()
    {
        await using var agent = await AgentProcess.StartAsync(backend.Server);
        var oldPort = agent.ListenPort;
        var otherPort = FreePort.Next();

        var rendered = agent.Publish(listenPort: otherPort, poolSize: 6);
        var logged = await agent.Process.WaitForLineAsync(l => l.Contains("restart pending", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        await agent.Process.WaitForLineAsync(l => l.Contains($"configuration revision {rendered.ConfigRevision[..12]} applied", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        await Task.Delay(1500); // past the liveness and readiness caches
        var health = await agent.GetAsync("/healthz");
        var ready = await agent.GetAsync("/readyz");
        var metrics = (await agent.GetAsync("/metrics")).Body;
        var oldPortWorks = await QueryAsync(agent.AppConnectionString("old-port", port: oldPort));
        var newPortWorks = await QueryAsync(agent.AppConnectionString("new-port", port: otherPort));
        var poolSize = (await agent.Admin().ShowConfigAsync()).Single(c => c.Key == "default_pool_size").Value;

        ServiceUser.Signal(await agent.PgBouncerPidAsync(1), PosixSignalNumber.Kill);
        await agent.PgBouncerPidAsync(2);
        var healthAfterCrash = await agent.WaitForStatusAsync("/healthz", 200, TimeSpan.FromSeconds(10));
        var readyAfterCrash = await agent.WaitForStatusAsync("/readyz", 200, TimeSpan.FromSeconds(10));
        var oldPortAfterCrash = await QueryAsync(agent.AppConnectionString("old-port", port: oldPort));
        var newPortAfterCrash = await QueryAsync(agent.AppConnectionString("new-port", port: otherPort));
        var poolSizeAfterCrash = (await agent.Admin().ShowConfigAsync()).Single(c => c.Key == "default_pool_size").Value;

        Assert.Contains("listen_port", logged, StringComparison.Ordinal);
        Assert.Equal(1, agent.Process.Lines.Count(l => l.Contains("restart pending", StringComparison.Ordinal)));
        Assert.Equal(200, health.Status);
        Assert.Equal(200, ready.Status);
        Assert.Contains(oldPort.ToString(CultureInfo.InvariantCulture), ready.Body, StringComparison.Ordinal);
        Assert.Equal(1, AgentProcess.Sample(metrics, "sidepool_agent_restart_pending"));
        Assert.Equal(1, AgentProcess.Sample(metrics, "sidepool_agent_pending_restarts_total"));
        Assert.True(oldPortWorks, "clients on the running port must keep working");
        Assert.False(newPortWorks, "pgbouncer cannot listen on the new port without a restart");
        Assert.Equal("6", poolSize); // the reloadable part of the change applied
        Assert.StartsWith("ok", healthAfterCrash, StringComparison.Ordinal);
        Assert.Contains(oldPort.ToString(CultureInfo.InvariantCulture), readyAfterCrash, StringComparison.Ordinal);
        Assert.True(oldPortAfterCrash, "after a crash pgbouncer must come back on the port it ran with");
        Assert.False(newPortAfterCrash, "a crash restart must not move pgbouncer to the pending port");
        Assert.Equal("6", poolSizeAfterCrash);
    }

    private static async Task<bool> CanLogInAsync(AgentProcess agent, string password) =>
        await QueryAsync(agent.AppConnectionString("login-check", password: password));

    private static async Task<bool> QueryAsync(string connectionString)
    {
        try
        {
            await using var connection = new NpgsqlConnection(connectionString + ";Timeout=3");
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT 1", connection);
            return await command.ExecuteScalarAsync() is 1;
        }
        catch (Exception e) when (e is NpgsqlException or System.Net.Sockets.SocketException or TimeoutException)
        {
            return false;
        }
    }
}
