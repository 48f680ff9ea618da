using System.Collections.Concurrent;
using Prometheus;
using SidePool.Core;

namespace SidePool.Operator.Telemetry;

/// <summary>
/// The operator's metrics (<c>sidepool_operator_*</c>), prometheus-net collectors in one <see cref="CollectorRegistry"/>
/// (the host's, which <c>/metrics</c> serves). Labels carry results and states, never names or secrets. The gauges that
/// observe something (queue, leadership, caches, versions) are read just before each scrape.
/// </summary>
public sealed class OperatorMetrics : IDisposable
{
    private readonly Counter _reconciles;
    private readonly Histogram _duration;
    private readonly Counter _stamps;
    private readonly Gauge _queueDepth;
    private readonly Gauge _leader;
    private readonly Gauge _pools;
    private readonly Gauge _cachedObjects;
    private readonly Gauge _versionCounts;
    private readonly Gauge _poolsWithCondition;
    private readonly Gauge _podCounts;
    private readonly ConcurrentDictionary<string, (IReadOnlySet<string> TrueConditions, int Outdated, int Missing)> _health = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (int Current, int Draining, int Retired)> _versions = new(StringComparer.Ordinal);
    private readonly Lock _observing = new();
    private readonly HashSet<string> _cachedResources = new(StringComparer.Ordinal);
    private Func<int> _queue = static () => 0;
    private Func<bool> _isLeader = static () => false;
    private Func<IReadOnlyDictionary<string, int>> _caches = static () => new Dictionary<string, int>();
    private volatile bool _disposed;

    /// <summary>Metrics in a registry of their own (tests, embedding).</summary>
    public OperatorMetrics()
        : this(Prometheus.Metrics.NewCustomRegistry())
    {
    }

    public OperatorMetrics(CollectorRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        Registry = registry;
        var factory = Prometheus.Metrics.WithCustomRegistry(registry);
        _reconciles = factory.CreateCounter("sidepool_operator_reconciles_total", "Pool reconciles, by result (success, error, conflict).", "result");
        _duration = factory.CreateHistogram(
            "sidepool_operator_reconcile_duration_seconds",
            "Duration of pool reconciles, by result.",
            new HistogramConfiguration { LabelNames = ["result"], Buckets = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] });
        _stamps = factory.CreateCounter("sidepool_operator_workload_stamps_total", "Pod templates stamped, by reason (rollout, repair).", "reason");
        _queueDepth = factory.CreateGauge("sidepool_operator_queue_depth", "Pool keys waiting in the work queue.");
        _leader = factory.CreateGauge("sidepool_operator_leader", "1 while this replica leads (reconciles pools).");
        _pools = factory.CreateGauge("sidepool_operator_pools", "Pools reconciled by this replica.");
        _cachedObjects = factory.CreateGauge(
            "sidepool_operator_cached_objects",
            "Objects in the leader's informer caches, by resource (Secrets: only those the operator owns or pools reference).",
            "resource");
        _versionCounts = factory.CreateGauge("sidepool_operator_versions", "Pool versions in status, by state.", "state");
        _poolsWithCondition = factory.CreateGauge(
            "sidepool_operator_pools_with_condition",
            "Pools whose status condition is True, by condition (Ready, Progressing, Degraded, Conflict, BudgetExceeded, ClientsStuck).",
            "condition");
        _podCounts = factory.CreateGauge("sidepool_operator_pods", "Selected pods over all pools, by state (outdated: an older version; missing: without the sidecar).", "state");
        registry.AddBeforeCollectCallback(Observe);
    }

    /// <summary>The condition types <c>sidepool_operator_pools_with_condition</c> reports (each always, 0 when no pool has it True).</summary>
    public static readonly IReadOnlyList<string> ReportedConditions =
        [ConditionTypes.Ready, ConditionTypes.Progressing, ConditionTypes.Degraded, ConditionTypes.Conflict, ConditionTypes.BudgetExceeded, ConditionTypes.ClientsStuck];

    /// <summary>The registry these metrics are in.</summary>
    public CollectorRegistry Registry { get; }

    public void ObserveQueue(Func<int> depth) => _queue = depth;

    public void ObserveLeader(Func<bool> leader) => _isLeader = leader;

    public void ObserveCaches(Func<IReadOnlyDictionary<string, int>> caches) => _caches = caches;

    public void Reconciled(string result, TimeSpan duration)
    {
        _reconciles.WithLabels(result).Inc();
        _duration.WithLabels(result).Observe(duration.TotalSeconds);
    }

    public void Stamped(bool repair) => _stamps.WithLabels(repair ? "repair" : "rollout").Inc();

    /// <summary>Records a pool's version counts (key is internal, never a label).</summary>
    public void Versions(string poolKey, int current, int draining, int retired) => _versions[poolKey] = (current, draining, retired);

    /// <summary>Records which conditions of a pool are True and its outdated and missing pods (key is internal, never a label).</summary>
    public void Health(string poolKey, IEnumerable<string> trueConditions, int outdated, int missing) =>
        _health[poolKey] = (trueConditions.ToHashSet(StringComparer.Ordinal), outdated, missing);

    public void Forget(string poolKey)
    {
        _versions.TryRemove(poolKey, out _);
        _health.TryRemove(poolKey, out _);
    }

    /// <summary>Stops reading what was observed (the controller's queue and caches may be gone): the gauges keep their last values.</summary>
    public void Dispose() => _disposed = true;

    /// <summary>Before each scrape: the observed gauges, as they are now.</summary>
    private void Observe()
    {
        if (_disposed)
        {
            return;
        }

        lock (_observing)
        {
            _queueDepth.Set(_queue());
            _leader.Set(_isLeader() ? 1 : 0);
            _pools.Set(_versions.Count);

            // A resource no longer reported loses its series (as a cache that is gone has no size).
            var caches = _caches();
            foreach (var gone in _cachedResources.Where(r => !caches.ContainsKey(r)).ToList())
            {
                _cachedObjects.RemoveLabelled(gone);
                _cachedResources.Remove(gone);
            }

            foreach (var (resource, count) in caches)
            {
                _cachedObjects.WithLabels(resource).Set(count);
                _cachedResources.Add(resource);
            }

            int current = 0, draining = 0, retired = 0;
            foreach (var (c, d, r) in _versions.Values)
            {
                current += c;
                draining += d;
                retired += r;
            }

            _versionCounts.WithLabels("Current").Set(current);
            _versionCounts.WithLabels("Draining").Set(draining);
            _versionCounts.WithLabels("Retired").Set(retired);

            var health = _health.Values.ToList();
            foreach (var condition in ReportedConditions)
            {
                _poolsWithCondition.WithLabels(condition).Set(health.Count(h => h.TrueConditions.Contains(condition)));
            }

            _podCounts.WithLabels("outdated").Set(health.Sum(h => h.Outdated));
            _podCounts.WithLabels("missing").Set(health.Sum(h => h.Missing));
        }
    }
}
