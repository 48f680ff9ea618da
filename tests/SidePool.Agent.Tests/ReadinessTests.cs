using System.Collections.Concurrent;
using System.Diagnostics;
using Xunit;
using Xunit.Abstractions;

namespace SidePool.Agent.Tests;

public sealed class ReadinessTests(ITestOutputHelper output)
{
    private static readonly Dictionary<string, string> FastLoginRetry = new() { ["server_login_retry"] = "1s" };

    [Fact]
    public async Task A_database_restart_under_load_keeps_the_pod_ready_and_shows_in_sidepool_backend_up()
    {
        await using var backend = new TestBackend();
        await backend.InitializeAsync();
        await using var agent = await AgentProcess.StartAsync(backend.Server, ["--backend-check-interval", "250ms", "--probe-timeout", "1s", "--ready-cache", "250ms"], parameters: FastLoginRetry);
        await agent.WaitForStatusAsync("/readyz", 200, TimeSpan.FromSeconds(10));
        await agent.WaitForMetricAsync("sidepool_backend_up", 1, TimeSpan.FromSeconds(10));
        var load = new ResilientTransactionLoad(agent.AppConnectionString("load"));
        load.Start(16);
        await using var readiness = ProbeSampler.Start(agent, "/readyz", TimeSpan.FromMilliseconds(100));
        await using var backendUp = MetricSampler.Start(agent, "sidepool_backend_up", TimeSpan.FromMilliseconds(100));
        await Task.Delay(1000);
        var committedBeforeOutage = load.Committed;

        var stopped = Stopwatch.GetTimestamp();
        await backend.Server.StopAsync();
        await agent.WaitForMetricAsync("sidepool_backend_up", 0, TimeSpan.FromSeconds(20));
        var detected = Stopwatch.GetElapsedTime(stopped);
        await Task.Delay(2000); // the database stays down a while
        var committedDuringOutage = load.Committed;
        var started = Stopwatch.GetTimestamp();
        await backend.Server.StartAgainAsync();
        await agent.WaitForMetricAsync("sidepool_backend_up", 1, TimeSpan.FromSeconds(30));
        var recovered = Stopwatch.GetElapsedTime(started);
        await Task.Delay(1000);
        var committedAfterRestart = load.Committed;
        await readiness.StopAsync();
        await backendUp.StopAsync();
        await load.StopAsync();

        var samples = readiness.Samples;
        var transitions = backendUp.Transitions;
        output.WriteLine($"/readyz sampled {samples.Count} times every ~100 ms through the restart: {samples.Count(s => s.Status == 200)} x 200, {samples.Count(s => s.Status != 200)} other");
        output.WriteLine($"sidepool_backend_up transitions: {string.Join(" -> ", transitions.Select(t => $"{t.Value} at {t.At.TotalMilliseconds:0} ms"))}; 0 seen {detected.TotalMilliseconds:0} ms after the stop began, 1 again {recovered.TotalMilliseconds:0} ms after the start began");
        output.WriteLine($"load (16 clients): {committedBeforeOutage} commits before the outage, {committedDuringOutage} at its end, {committedAfterRestart} a second after recovery; {load.Failed} failed transactions");
        Assert.True(samples.Count >= 30, $"only {samples.Count} /readyz samples");
        Assert.All(samples, s => Assert.Equal(200, s.Status));
        Assert.Equal(1, transitions[0].Value);
        Assert.Contains(transitions, t => t.Value == 0);
        Assert.Equal(1, transitions[^1].Value);
        Assert.True(committedAfterRestart > committedDuringOutage, "clients must work through the pooler again after the restart");
        Assert.Contains(agent.Process.Lines, l => l.Contains("backend check failed", StringComparison.Ordinal) && l.Contains("readiness is unaffected", StringComparison.Ordinal));
        var metrics = (await agent.GetAsync("/metrics")).Body;
        Assert.Contains("# HELP sidepool_backend_up ", metrics, StringComparison.Ordinal);
        Assert.True(AgentProcess.Sample(metrics, "sidepool_backend_check_duration_seconds_count{result=\"down\"}") >= 1);
        Assert.True(AgentProcess.Sample(metrics, "sidepool_backend_check_duration_seconds_count{result=\"up\"}") >= 2);
        Assert.Equal(1, AgentProcess.Sample(metrics, "sidepool_agent_ready"));
    }

    [Fact]
    public async Task With_backend_readiness_a_database_outage_makes_the_pod_not_ready_and_ready_again()
    {
        await using var backend = new TestBackend();
        await backend.InitializeAsync();
        await using var agent = await AgentProcess.StartAsync(backend.Server, ["--readiness", "backend", "--backend-check-interval", "250ms", "--probe-timeout", "1s", "--ready-cache", "250ms"], parameters: FastLoginRetry);
        var readyAtStart = await agent.WaitForStatusAsync("/readyz", 200, TimeSpan.FromSeconds(10));

        await backend.Server.StopAsync();
        var notReady = await agent.WaitForStatusAsync("/readyz", 503, TimeSpan.FromSeconds(20));
        var healthWhileDown = await agent.GetAsync("/healthz");
        var startupWhileDown = await agent.GetAsync("/startupz");
        await backend.Server.StartAgainAsync();
        var readyAgain = await agent.WaitForStatusAsync("/readyz", 200, TimeSpan.FromSeconds(30));

        Assert.Contains("backend check passed", readyAtStart, StringComparison.Ordinal);
        Assert.Contains("backend check failed", notReady, StringComparison.Ordinal);
        Assert.Equal(200, healthWhileDown.Status);
        Assert.Equal(200, startupWhileDown.Status);
        Assert.StartsWith("ready", readyAgain, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Startup_and_pooler_readiness_never_need_the_database()
    {
        await using var backend = new TestBackend();
        await backend.InitializeAsync();
        await backend.Server.StopAsync(); // the database is down before the pod starts

        await using var agent = await AgentProcess.StartAsync(backend.Server, ["--backend-check-interval", "250ms", "--probe-timeout", "1s"]);
        var startup = await agent.WaitForStatusAsync("/startupz", 200, TimeSpan.FromSeconds(10));
        var ready = await agent.WaitForStatusAsync("/readyz", 200, TimeSpan.FromSeconds(10));
        await agent.Process.WaitForLineAsync(l => l.Contains("backend check failed", StringComparison.Ordinal), TimeSpan.FromSeconds(15));
        var backendUp = await agent.MetricAsync("sidepool_backend_up");

        Assert.StartsWith("started: pgbouncer accepts connections on 127.0.0.1:", startup, StringComparison.Ordinal);
        Assert.StartsWith("ready: pgbouncer accepts connections", ready, StringComparison.Ordinal);
        Assert.Equal(0, backendUp);
    }

    [Fact]
    public async Task Readiness_results_are_cached_so_probes_do_not_stampede_pgbouncer()
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

    /// <summary>Polls an endpoint at a fixed pace in the background and keeps every answer.</summary>
    private sealed class ProbeSampler : IAsyncDisposable
    {
        private readonly ConcurrentQueue<(TimeSpan At, int Status, string Body)> _samples = new();
        private readonly CancellationTokenSource _stop = new();
        private Task? _loop;

        public IReadOnlyList<(TimeSpan At, int Status, string Body)> Samples => [.. _samples];

        public static ProbeSampler Start(AgentProcess agent, string path, TimeSpan every)
        {
            var sampler = new ProbeSampler();
            var started = Stopwatch.GetTimestamp();
            sampler._loop = Task.Run(async () =>
            {
                while (!sampler._stop.IsCancellationRequested)
                {
                    var (status, body) = await agent.GetAsync(path);
                    sampler._samples.Enqueue((Stopwatch.GetElapsedTime(started), status, body));
                    await Task.Delay(every);
                }
            });
            return sampler;
        }

        public async Task StopAsync()
        {
            await _stop.CancelAsync();
            if (_loop is not null)
            {
                await _loop;
            }
        }

        public async ValueTask DisposeAsync()
        {
            await StopAsync();
            _stop.Dispose();
        }
    }

    /// <summary>Polls one /metrics series in the background and keeps its changes of value.</summary>
    private sealed class MetricSampler : IAsyncDisposable
    {
        private readonly List<(TimeSpan At, double Value)> _transitions = [];
        private readonly CancellationTokenSource _stop = new();
        private Task? _loop;

        public IReadOnlyList<(TimeSpan At, double Value)> Transitions
        {
            get
            {
                lock (_transitions)
                {
                    return [.. _transitions];
                }
            }
        }

        public static MetricSampler Start(AgentProcess agent, string series, TimeSpan every)
        {
            var sampler = new MetricSampler();
            var started = Stopwatch.GetTimestamp();
            sampler._loop = Task.Run(async () =>
            {
                while (!sampler._stop.IsCancellationRequested)
                {
                    if (await agent.MetricAsync(series) is { } value)
                    {
                        lock (sampler._transitions)
                        {
                            if (sampler._transitions.Count == 0 || sampler._transitions[^1].Value != value)
                            {
                                sampler._transitions.Add((Stopwatch.GetElapsedTime(started), value));
                            }
                        }
                    }

                    await Task.Delay(every);
                }
            });
            return sampler;
        }

        public async Task StopAsync()
        {
            await _stop.CancelAsync();
            if (_loop is not null)
            {
                await _loop;
            }
        }

        public async ValueTask DisposeAsync()
        {
            await StopAsync();
            _stop.Dispose();
        }
    }
}
