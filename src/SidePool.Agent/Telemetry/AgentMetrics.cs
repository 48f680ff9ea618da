using Prometheus;

namespace SidePool.Agent.Telemetry;

/// <summary>
/// The agent's own metrics (<c>sidepool_agent_*</c>, <c>sidepool_backend_*</c>) on the agent's prometheus-net registry.
/// Events are counted and timed as they happen; the gauges read <see cref="AgentState"/> just before each collection.
/// Label names are declared sorted by name, and counters nobody incremented yet are not written (only their HELP and
/// TYPE), as the agent's exposition always had it (tests/SidePool.Agent.Tests/Golden).
/// </summary>
internal sealed class AgentMetrics
{
    private static readonly double[] ReadinessBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
    private static readonly double[] BackendBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

    private readonly AgentState _state;
    private readonly Lock _gate = new();
    private readonly Gauge _configInfo;
    private readonly Counter _reloads;
    private readonly Gauge _restartPending;
    private readonly Counter _pendingRestarts;
    private readonly Gauge _draining;
    private readonly Gauge _drainDuration;
    private readonly Counter _pgBouncerRestarts;
    private readonly Gauge _ready;
    private readonly Histogram _readinessChecks;
    private readonly Gauge _backendUp;
    private readonly Histogram _backendChecks;
    private readonly Counter _watchRestarts;
    private string[]? _configLabels;

    /// <summary>Metrics in a registry of their own (tests).</summary>
    public AgentMetrics(AgentState state)
        : this(state, AgentRegistry.Create())
    {
    }

    public AgentMetrics(AgentState state, CollectorRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        _state = state;
        var factory = Metrics.WithCustomRegistry(registry);
        _configInfo = factory.CreateGauge(
            "sidepool_agent_config_info",
            "The configuration revision PgBouncer is running (value 1; revision and version are the renderer's hashes).",
            ["pool", "revision", "version"]);
        _reloads = factory.CreateCounter("sidepool_agent_reloads_total", "Configuration changes seen, by result (applied, invalid, failed).", ["result"]);
        _restartPending = factory.CreateGauge(
            "sidepool_agent_restart_pending",
            "1 when a mounted change touches settings PgBouncer applies only at start (the pod needs replacing).");
        _pendingRestarts = UnlabelledCounter(factory, "sidepool_agent_pending_restarts_total", "Configuration changes that need a PgBouncer restart to apply.");
        _draining = factory.CreateGauge("sidepool_agent_draining", "1 while the agent drains PgBouncer before exiting.");
        _drainDuration = factory.CreateGauge("sidepool_agent_drain_duration_seconds", "How long the current (or last) drain has taken.");
        _pgBouncerRestarts = UnlabelledCounter(factory, "sidepool_agent_pgbouncer_restarts_total", "PgBouncer restarts after it exited unexpectedly.");
        _ready = factory.CreateGauge("sidepool_agent_ready", "1 when the last readiness check passed.");
        _readinessChecks = factory.CreateHistogram(
            "sidepool_agent_readiness_check_duration_seconds",
            "Duration of readiness checks of the local pooler (TCP connect and admin console), by result.",
            ["result"],
            new HistogramConfiguration { Buckets = ReadinessBuckets });
        _backendUp = factory.CreateGauge(
            "sidepool_backend_up",
            "1 when the last backend check (SELECT 1 through the local pooler as the probe user) passed, else 0. Readiness depends on it only with --readiness backend.");
        _backendChecks = factory.CreateHistogram(
            "sidepool_backend_check_duration_seconds",
            "Duration of backend checks (SELECT 1 through the local pooler), by result (up, down).",
            ["result"],
            new HistogramConfiguration { Buckets = BackendBuckets });
        _watchRestarts = UnlabelledCounter(factory, "sidepool_agent_config_watch_restarts_total", "Times the config watch loop failed and was restarted (each is logged).");
        registry.AddBeforeCollectCallback(Observe);
    }

    public void Reload(string result) => _reloads.WithLabels(result).Inc();

    public void PendingRestart() => _pendingRestarts.Inc();

    public void PgBouncerRestarted() => _pgBouncerRestarts.Inc();

    public void ReadinessChecked(bool ready, TimeSpan duration) =>
        _readinessChecks.WithLabels(ready ? "ready" : "not_ready").Observe(duration.TotalSeconds);

    public void BackendChecked(bool up, TimeSpan duration) =>
        _backendChecks.WithLabels(up ? "up" : "down").Observe(duration.TotalSeconds);

    public void ConfigWatchRestarted() => _watchRestarts.Inc();

    private static Counter UnlabelledCounter(MetricFactory factory, string name, string help) =>
        factory.CreateCounter(name, help, new CounterConfiguration { SuppressInitialValue = true });

    /// <summary>Sets the gauges from the agent's state (before every collection).</summary>
    private void Observe()
    {
        _restartPending.Set(_state.RestartPending.Count > 0 ? 1 : 0);
        _draining.Set(_state.IsDraining ? 1 : 0);
        _drainDuration.Set(_state.DrainElapsed.TotalSeconds);
        _ready.Set(_state.LastReadiness ? 1 : 0);
        _backendUp.Set(_state.BackendUp ? 1 : 0);
        string[]? labels = _state.AppliedConfig is { } config ? [config.Settings.PoolName, config.Revision, config.Settings.Version] : null;
        lock (_gate)
        {
            if (_configLabels is { } old && (labels is null || !old.AsSpan().SequenceEqual(labels)))
            {
                _configInfo.RemoveLabelled(old);
            }

            if (labels is not null)
            {
                _configInfo.WithLabels(labels).Set(1);
            }

            _configLabels = labels;
        }
    }
}
