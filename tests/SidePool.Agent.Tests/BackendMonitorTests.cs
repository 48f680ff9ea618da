using System.Net;
using System.Net.Sockets;
using SidePool.Agent.Configuration;
using SidePool.Agent.Health;
using SidePool.Agent.Telemetry;
using SidePool.Testing;
using Xunit;

namespace SidePool.Agent.Tests;

public sealed class BackendMonitorTests : IDisposable
{
    private readonly TestDirectory _directory = new("monitor");

    public void Dispose() => _directory.Dispose();

    /// <summary>
    /// The agent stops its backend check when it drains; a check that is still waiting for its answer at that moment
    /// must end quietly (found by DrainTests under load: the agent died with an unhandled exception, exit 134) and at
    /// once, whatever the driver is waiting for (CI: a check waiting for the answer to its first message ignored the
    /// stop until its 30 s timeout).
    /// </summary>
    [Theory]
    [InlineData(0)]
    [InlineData(500)] // the driver is past its connect, waiting for the first answer (the CI failure: it did not stop)
    public async Task Stopping_during_a_check_that_waits_for_its_answer_ends_the_loop_quietly(int settleMilliseconds)
    {
        // A "pooler" that accepts connections and never answers: the check is in flight until it is stopped.
        using var blackHole = new TcpListener(IPAddress.Loopback, 0);
        blackHole.Start();
        var port = ((IPEndPoint)blackHole.LocalEndpoint).Port;
        var mount = new PoolMount(_directory);
        mount.Publish(PoolFiles.Render(mount.Directory, "/tmp", 5432, port, TestBackend.Password).Files);
        var config = ConfigLoader.Load(mount.Directory).Config!;
        var state = new AgentState();
        state.Started(config, new RuntimeConfig("/dev/null", config.Ini, new Dictionary<string, string> { ["listen_port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture) }));
        state.PgBouncerRunning = true;
        var metrics = new AgentMetrics(state);
        using var monitor = new BackendMonitor(new AgentOptions { ProbeTimeout = TimeSpan.FromSeconds(30), BackendCheckInterval = TimeSpan.FromHours(1) }, state, metrics);

        using var stop = new CancellationTokenSource();
        var run = monitor.RunAsync(stop.Token);
        using var accepted = await blackHole.AcceptSocketAsync().WaitAsync(TimeSpan.FromSeconds(20));
        await Task.Delay(settleMilliseconds);
        await stop.CancelAsync();

        await run.WaitAsync(TimeSpan.FromSeconds(10)); // returns, does not throw
        Assert.True(run.IsCompletedSuccessfully);
    }
}
