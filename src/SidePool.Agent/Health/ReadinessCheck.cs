using System.Diagnostics;
using SidePool.Agent.Telemetry;
using SidePool.PgBouncer.Admin;

namespace SidePool.Agent.Health;

/// <summary>
/// <c>/readyz</c>: this sidecar can accept connections. Not draining, PgBouncer runs on a loaded configuration,
/// its listener accepts on <c>127.0.0.1:&lt;listen_port&gt;</c> and its admin console answers. The database is not
/// asked (a database blip must not take every pod out of its Services at once); with <c>--readiness backend</c> the
/// last backend check (<see cref="BackendMonitor"/>) must have passed too. The pooler checks are cached
/// (<c>--ready-cache</c> when passing, at most 1 s when failing) and concurrent probes share one check.
/// </summary>
internal sealed class ReadinessCheck
{
    private readonly AgentOptions _options;
    private readonly AgentState _state;
    private readonly AgentMetrics _metrics;
    private readonly CachedCheck _cached;

    public ReadinessCheck(AgentOptions options, AgentState state, AgentMetrics metrics)
    {
        _options = options;
        _state = state;
        _metrics = metrics;
        _cached = new CachedCheck(CheckPoolerAsync, options.ReadyCache, TimeSpan.FromTicks(Math.Min(options.ReadyCache.Ticks, TimeSpan.FromSeconds(1).Ticks)));
    }

    public async Task<HealthResult> GetAsync()
    {
        var result = await EvaluateAsync();
        _state.LastReadiness = result.Ok;
        return result;
    }

    public void Invalidate() => _cached.Invalidate();

    private async Task<HealthResult> EvaluateAsync()
    {
        if (_state.IsDraining)
        {
            return HealthResult.Fail("not ready: draining (the pod is terminating)");
        }

        if (!_state.PgBouncerRunning || _state.AppliedConfig is null || _state.Running is null)
        {
            return HealthResult.Fail("not ready: pgbouncer is not running");
        }

        var pooler = await _cached.GetAsync();
        if (!pooler.Ok || _options.Readiness == ReadinessMode.Pooler)
        {
            return pooler;
        }

        return _state.BackendUp
            ? HealthResult.Pass($"{pooler.Reason}; backend check passed")
            : HealthResult.Fail($"not ready: backend check failed ({_state.BackendProblem ?? "no check has passed yet"}); readiness mode is backend");
    }

    private async Task<HealthResult> CheckPoolerAsync(CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var result = await ProbeAsync(cancellationToken);
        _metrics.ReadinessChecked(result.Ok, Stopwatch.GetElapsedTime(started));
        return result;
    }

    private async Task<HealthResult> ProbeAsync(CancellationToken cancellationToken)
    {
        if (_state.Running is not { } running || _state.Admin is not { } admin)
        {
            return HealthResult.Fail("not ready: pgbouncer is not running");
        }

        if (await ListenerProbe.ProblemAsync(running.ListenPort, _options.ProbeTimeout, cancellationToken) is { } problem)
        {
            return HealthResult.Fail($"not ready: {problem}");
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.ProbeTimeout);
        try
        {
            await admin.ShowVersionAsync(timeout.Token);
        }
        catch (Exception e) when (e is PgBouncerAdminException or IOException or System.Net.Sockets.SocketException or OperationCanceledException)
        {
            return HealthResult.Fail($"not ready: pgbouncer admin console does not answer: {e.Message}");
        }

        return HealthResult.Pass($"ready: pgbouncer accepts connections on 127.0.0.1:{running.ListenPort}");
    }
}
