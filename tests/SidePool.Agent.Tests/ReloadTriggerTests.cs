using SidePool.Testing;
using Xunit;

namespace SidePool.Agent.Tests;

/// <summary>What makes the agent look at the mount: SIGHUP, and a watch loop that survives failures.</summary>
public sealed class ReloadTriggerTests(TestBackend backend) : IClassFixture<TestBackend>
{
    [Fact]
    public async Task Sighup_rereads_the_mount_now()
    {
        await using var agent = await AgentProcess.StartAsync(backend.Server, ["--config-poll", "1h"], poolSize: 10);
        var admin = agent.Admin();

        // an edit inside the current generation: no inotify event on the config directory, and no poll for an hour
        var ini = Path.Combine(agent.Mount.Directory, "..data", "pgbouncer.ini");
        await File.WriteAllTextAsync(ini, (await File.ReadAllTextAsync(ini)).Replace("default_pool_size = 10", "default_pool_size = 3", StringComparison.Ordinal));
        await Task.Delay(1500);
        var beforeSignal = await PoolSizeAsync(admin);
        agent.Process.Signal(PosixSignalNumber.Hup);
        var afterSignal = await WaitForPoolSizeAsync(admin, "3");

        Assert.Equal("10", beforeSignal);
        Assert.Equal("3", afterSignal);
        Assert.False(agent.Process.HasExited);
        Assert.Contains(agent.Process.Lines, l => l.Contains("SIGHUP received", StringComparison.Ordinal)); // now, or kept while the agent was still starting

        // SIGHUP on an unchanged mount is harmless
        agent.Process.Signal(PosixSignalNumber.Hup);
        await agent.Process.WaitForLineAsync(l => l.Contains("mounted configuration unchanged", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        Assert.Equal(200, (await agent.GetAsync("/healthz")).Status);
    }

    [Fact]
    public async Task A_sighup_while_the_agent_starts_is_kept_until_it_has_started()
    {
        // PgBouncer that takes 3 s to start: the agent is still starting (no config watcher yet) when SIGHUP comes
        using var slow = new TestDirectory("slow-pgbouncer");
        var wrapper = slow.PathOf("pgbouncer");
        await File.WriteAllTextAsync(wrapper, $"#!/bin/sh\nsleep 3\nexec '{Binaries.PgBouncer}' \"$@\"\n");
        File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        await using var agent = await AgentProcess.StartAsync(backend.Server, ["--config-poll", "1h"], poolSize: 10, waitHealthy: false, pgBouncer: wrapper);
        // the agent has read the mount once it wrote its private copy for PgBouncer (which then sleeps)
        var privateCopy = Path.Combine(agent.RuntimeDirectory, "pgbouncer.ini");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!File.Exists(privateCopy) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.Contains("default_pool_size = 10", await File.ReadAllTextAsync(privateCopy), StringComparison.Ordinal);

        // an edit inside the current generation (no inotify event, no poll for an hour), then SIGHUP while starting
        var ini = Path.Combine(agent.Mount.Directory, "..data", "pgbouncer.ini");
        await File.WriteAllTextAsync(ini, (await File.ReadAllTextAsync(ini)).Replace("default_pool_size = 10", "default_pool_size = 3", StringComparison.Ordinal));
        agent.Process.Signal(PosixSignalNumber.Hup);
        await agent.Process.WaitForLineAsync(l => l.Contains("SIGHUP received while starting", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        await agent.WaitForStatusAsync("/healthz", 200, TimeSpan.FromSeconds(30));

        Assert.Equal("3", await WaitForPoolSizeAsync(agent.Admin(), "3"));
        Assert.False(agent.Process.HasExited);
    }

    [Fact]
    public async Task A_hand_edit_that_broke_config_loading_does_not_stop_later_reloads()
    {
        await using var agent = await AgentProcess.StartAsync(backend.Server, poolSize: 10);
        var admin = agent.Admin();
        var good = agent.Rendered;
        Assert.Contains($"\"socketDirectory\": \"{agent.SocketDirectory}\"", good.Files["sidepool.json"], StringComparison.Ordinal);

        agent.PublishRaw(new Dictionary<string, string>(good.Files)
        {
            ["sidepool.json"] = good.Files["sidepool.json"].Replace($"\"socketDirectory\": \"{agent.SocketDirectory}\"", "\"socketDirectory\": null", StringComparison.Ordinal),
        });
        await Task.Delay(2500); // inotify and at least one poll
        agent.Publish(poolSize: 4);
        var poolSize = await WaitForPoolSizeAsync(admin, "4");

        Assert.Equal("4", poolSize);
        Assert.Equal(200, (await agent.GetAsync("/healthz")).Status);
    }

    private static async Task<string> PoolSizeAsync(SidePool.PgBouncer.Admin.PgBouncerAdminClient admin) =>
        (await admin.ShowConfigAsync()).Single(c => c.Key == "default_pool_size").Value;

    private static async Task<string> WaitForPoolSizeAsync(SidePool.PgBouncer.Admin.PgBouncerAdminClient admin, string expected)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        var last = "";
        while (DateTime.UtcNow < deadline)
        {
            last = await PoolSizeAsync(admin);
            if (last == expected)
            {
                return last;
            }

            await Task.Delay(50);
        }

        return last;
    }
}
