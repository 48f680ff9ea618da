using System.Diagnostics;
using SidePool.Testing;
using Xunit;

namespace SidePool.Agent.Tests;

public sealed class LivenessStartTests(TestBackend backend) : IClassFixture<TestBackend>
{
    /// <summary>
    /// A poller that asks /healthz while PgBouncer starts gets "not running" answers; once the agent logged that PgBouncer
    /// runs, no answer may still say so (a failure cached at start would fail the kubelet's first probes and slow every
    /// start by the cache's lifetime). PgBouncer is held behind a gate until the poller has had a "not running" answer,
    /// so the start is always observed (without the gate a fast start left the poller nothing to ask about).
    /// </summary>
    [Fact]
    public async Task Once_pgbouncer_runs_healthz_never_answers_a_failure_cached_before()
    {
        using var gate = new TestDirectory("gate");
        var open = gate.PathOf("open");
        var pgbouncer = gate.WriteFile(
            "pgbouncer",
            $"#!/bin/sh\nwhile [ ! -e '{open}' ]; do sleep 0.01; done\nexec '{Binaries.PgBouncer}' \"$@\"\n",
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        await using var agent = await AgentProcess.StartAsync(backend.Server, extraArgs: ["--pgbouncer", pgbouncer], waitHealthy: false);
        var answers = new List<(bool AfterRunning, int Status, string Body)>();
        var deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency * 30;
        while (Stopwatch.GetTimestamp() < deadline && !agent.Process.HasExited)
        {
            var afterRunning = agent.Process.Lines.Any(l => l.Contains("running (pid ", StringComparison.Ordinal));
            var (status, body) = await agent.GetAsync("/healthz");
            if (status != 0)
            {
                answers.Add((afterRunning, status, body));
            }

            if (status == 200)
            {
                break;
            }

            if (!File.Exists(open) && answers.Any(a => a.Body.Trim() == "pgbouncer is not running"))
            {
                await File.WriteAllTextAsync(open, "");
            }

            await Task.Delay(5);
        }

        Assert.True(answers.Count > 0 && answers[^1].Status == 200, string.Join("\n", answers));
        Assert.Contains(answers, a => !a.AfterRunning && a.Body.Trim() == "pgbouncer is not running"); // the poller did ask during the start
        Assert.DoesNotContain(answers, a => a.AfterRunning && a.Status != 200); // here the old agent answered its cached failure for up to 250 ms
    }
}
