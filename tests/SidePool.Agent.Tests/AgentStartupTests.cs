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
}
