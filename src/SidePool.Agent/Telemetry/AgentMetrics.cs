using System.Diagnostics.Metrics;

namespace SidePool.Agent.Telemetry;

/// <summary>The agent's own instruments (exposed as <c>sidepool_agent_*</c>).</summary>
internal sealed class AgentMetrics : IDisposable
{
    public const string MeterName = "SidePool.Agent";

    private readonly Meter _meter = new(MeterName);
    private readonly Counter<long> _reloads;
    private readonly Counter<long> _pendingRestarts;
    private readonly Counter<long> _pgBouncerRestarts;
    private readonly Histogram<double> _readinessChecks;
    private readonly Histogram<double> _backendChecks;
    private readonly Counter<long> _watchRestarts;

    public AgentMetrics(AgentState state)
    {
        _meter.CreateObservableGauge(
            "sidepool_agent_config_info",
            () => state.AppliedConfig is { } config
                ? [new Measurement<int>(1, new("revision", config.Revision), new("version", config.Settings.Version), new("pool", config.Settings.PoolName))]
                : Array.Empty<Measurement<int>>(),
            description: "The configuration revision PgBouncer is running (value 1; revision and version are the renderer's hashes).");
        _reloads = _meter.CreateCounter<long>("sidepool_agent_reloads", description: "Configuration changes seen, by result (applied, invalid, failed).");
        _meter.CreateObservableGauge(
            "sidepool_agent_restart_pending",
            () => state.RestartPending.Count > 0 ? 1 : 0,
            description: "1 when a mounted change touches settings PgBouncer applies only at start (the pod needs replacing).");
        _pendingRestarts = _meter.CreateCounter<long>("sidepool_agent_pending_restarts", description: "Configuration changes that need a PgBouncer restart to apply.");
        _meter.CreateObservableGauge("sidepool_agent_draining", () => state.IsDraining ? 1 : 0, description: "1 while the agent drains PgBouncer before exiting.");
        _meter.CreateObservableGauge(
            "sidepool_agent_drain_duration_seconds",
            () => state.DrainElapsed.TotalSeconds,
            unit: "s",
            description: "How long the current (or last) drain has taken.");
        _pgBouncerRestarts = _meter.CreateCounter<long>("sidepool_agent_pgbouncer_restarts", description: "PgBouncer restarts after it exited unexpectedly.");
        _meter.CreateObservableGauge("sidepool_agent_ready", () => state.LastReadiness ? 1 : 0, description: "1 when the last readiness check passed.");
        _readinessChecks = _meter.CreateHistogram<double>(
            "sidepool_agent_readiness_check_duration_seconds",
            unit: "s",
            description: "Duration of readiness checks of the local pooler (TCP connect and admin console), by result.",
            tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] });
        _meter.CreateObservableGauge(
            "sidepool_backend_up",
            () => state.BackendUp ? 1 : 0,
            description: "1 when the last backend check (SELECT 1 through the local pooler as the probe user) passed, else 0. Readiness depends on it only with --readiness backend.");
        _backendChecks = _meter.CreateHistogram<double>(
            "sidepool_backend_check_duration_seconds",
            unit: "s",
            description: "Duration of backend checks (SELECT 1 through the local pooler), by result (up, down).",
            tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] });
        _watchRestarts = _meter.CreateCounter<long>(
            "sidepool_agent_config_watch_restarts",
            description: "Times the config watch loop failed and was restarted (each is logged).");
    }

    public void Reload(string result) => _reloads.Add(1, new KeyValuePair<string, object?>("result", result));

    public void PendingRestart() => _pendingRestarts.Add(1);

    public void PgBouncerRestarted() => _pgBouncerRestarts.Add(1);

    public void ReadinessChecked(bool ready, TimeSpan duration) =>
        _readinessChecks.Record(duration.TotalSeconds, new KeyValuePair<string, object?>("result", ready ? "ready" : "not_ready"));

    public void BackendChecked(bool up, TimeSpan duration) =>
        _backendChecks.Record(duration.TotalSeconds, new KeyValuePair<string, object?>("result", up ? "up" : "down"));

    public void ConfigWatchRestarted() => _watchRestarts.Add(1);

    public void Dispose() => _meter.Dispose();
}
