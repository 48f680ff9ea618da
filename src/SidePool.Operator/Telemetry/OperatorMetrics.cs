using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace SidePool.Operator.Telemetry;

/// <summary>The operator's instruments (<c>sidepool_operator_*</c>). Labels carry results and states, never names or secrets.</summary>
public sealed class OperatorMetrics : IDisposable
{
    public const string MeterName = "SidePool.Operator";

    private readonly Meter _meter = new(MeterName);
    private readonly Counter<long> _reconciles;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _stamps;
    private readonly ConcurrentDictionary<string, (int Current, int Draining, int Retired)> _versions = new(StringComparer.Ordinal);
    private Func<int> _queueDepth = static () => 0;
    private Func<bool> _leader = static () => false;
    private Func<IReadOnlyDictionary<string, int>> _caches = static () => new Dictionary<string, int>();

    public OperatorMetrics()
    {
        _reconciles = _meter.CreateCounter<long>("sidepool_operator_reconciles", description: "Pool reconciles, by result (success, error, conflict).");
        _duration = _meter.CreateHistogram<double>(
            "sidepool_operator_reconcile_duration_seconds",
            unit: "s",
            description: "Duration of pool reconciles, by result.",
            tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] });
        _stamps = _meter.CreateCounter<long>("sidepool_operator_workload_stamps", description: "Pod templates stamped, by reason (rollout, repair).");
        _meter.CreateObservableGauge("sidepool_operator_queue_depth", () => _queueDepth(), description: "Pool keys waiting in the work queue.");
        _meter.CreateObservableGauge("sidepool_operator_leader", () => _leader() ? 1 : 0, description: "1 while this replica leads (reconciles pools).");
        _meter.CreateObservableGauge("sidepool_operator_pools", () => _versions.Count, description: "Pools reconciled by this replica.");
        _meter.CreateObservableGauge(
            "sidepool_operator_cached_objects",
            () => _caches().Select(c => new Measurement<int>(c.Value, new KeyValuePair<string, object?>("resource", c.Key))),
            description: "Objects in the leader's informer caches, by resource (Secrets: only those the operator owns or pools reference).");
        _meter.CreateObservableGauge(
            "sidepool_operator_versions",
            () =>
            {
                int current = 0, draining = 0, retired = 0;
                foreach (var (c, d, r) in _versions.Values)
                {
                    current += c;
                    draining += d;
                    retired += r;
                }

                return new[]
                {
                    new Measurement<int>(current, new KeyValuePair<string, object?>("state", "Current")),
                    new Measurement<int>(draining, new KeyValuePair<string, object?>("state", "Draining")),
                    new Measurement<int>(retired, new KeyValuePair<string, object?>("state", "Retired")),
                };
            },
            description: "Pool versions in status, by state.");
    }

    public void ObserveQueue(Func<int> depth) => _queueDepth = depth;

    public void ObserveLeader(Func<bool> leader) => _leader = leader;

    public void ObserveCaches(Func<IReadOnlyDictionary<string, int>> caches) => _caches = caches;

    public void Reconciled(string result, TimeSpan duration)
    {
        var tag = new KeyValuePair<string, object?>("result", result);
        _reconciles.Add(1, tag);
        _duration.Record(duration.TotalSeconds, tag);
    }

    public void Stamped(bool repair) => _stamps.Add(1, new KeyValuePair<string, object?>("reason", repair ? "repair" : "rollout"));

    /// <summary>Records a pool's version counts (key is internal, never a label).</summary>
    public void Versions(string poolKey, int current, int draining, int retired) => _versions[poolKey] = (current, draining, retired);

    public void Forget(string poolKey) => _versions.TryRemove(poolKey, out _);

    public void Dispose() => _meter.Dispose();
}
