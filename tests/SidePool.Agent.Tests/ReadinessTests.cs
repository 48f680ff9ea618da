using Xunit;

namespace SidePool.Agent.Tests;

public sealed class ReadinessTests
{
    [Fact]
    public async Task Readiness_follows_the_backend()
    {
        await using var backend = new TestBackend();
        await backend.InitializeAsync();
        var parameters = new Dictionary<string, string> { ["server_login_retry"] = "1s" };
        await using var agent = await AgentProcess.StartAsync(backend.Server, ["--ready-cache", "250ms", "--probe-timeout", "2s"], parameters: parameters);
        var readyAtStart = await agent.WaitForStatusAsync("/readyz", 200, TimeSpan.FromSeconds(10));

        await backend.Server.StopAsync();
        var notReady = await agent.WaitForStatusAsync("/readyz", 503, TimeSpan.FromSeconds(15));
        var healthWhileDown = await agent.GetAsync("/healthz");

        await backend.Server.StartAgainAsync();
        var readyAgain = await agent.WaitForStatusAsync("/readyz", 200, TimeSpan.FromSeconds(20));
        var metrics = (await agent.GetAsync("/metrics")).Body;

        Assert.StartsWith("ready", readyAtStart, StringComparison.Ordinal);
        Assert.Contains("backend unreachable through pgbouncer", notReady, StringComparison.Ordinal);
        Assert.Equal(200, healthWhileDown.Status);
        Assert.StartsWith("ready", readyAgain, StringComparison.Ordinal);
        Assert.Equal(1, AgentProcess.Sample(metrics, "sidepool_agent_ready"));
        Assert.True(AgentProcess.Sample(metrics, "sidepool_agent_readiness_check_duration_seconds_count{result=\"not_ready\"}") >= 1);
        Assert.True(AgentProcess.Sample(metrics, "sidepool_agent_readiness_check_duration_seconds_count{result=\"ready\"}") >= 2);
    }

    [Fact]
    public async Task Readiness_results_are_cached_so_probes_do_not_stampede_the_database()
    {
        await using var backend = new TestBackend();
        await backend.InitializeAsync();
        await using var agent = await AgentProcess.StartAsync(backend.Server, ["--ready-cache", "30s"]);
        await agent.WaitForStatusAsync("/readyz", 200, TimeSpan.FromSeconds(10));

        var probes = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => agent.GetAsync("/readyz")));
        var metrics = (await agent.GetAsync("/metrics")).Body;

        Assert.All(probes, p => Assert.Equal(200, p.Status));
        Assert.Equal(1, AgentProcess.Sample(metrics, "sidepool_agent_readiness_check_duration_seconds_count{result=\"ready\"}"));
    }
}
