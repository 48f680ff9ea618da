using Prometheus;

namespace SidePool.Operator.Webhook;

/// <summary>
/// Webhook metrics, prometheus-net collectors in one <see cref="CollectorRegistry"/>:
/// <c>sidepool_operator_webhook_admissions_total{outcome}</c>, <c>sidepool_operator_webhook_duration_seconds</c>
/// (histogram, no series before the first admission) and <c>sidepool_operator_webhook_missing_sidecars_total{reason}</c>
/// (pods admitted without a matching pool's sidecar).
/// </summary>
public sealed class WebhookMetrics
{
    private readonly Counter _admissions;
    private readonly Counter _missing;
    private readonly Histogram _duration;

    /// <summary>Metrics in a registry of their own (tests, embedding).</summary>
    public WebhookMetrics()
        : this(Prometheus.Metrics.NewCustomRegistry())
    {
    }

    public WebhookMetrics(CollectorRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        Registry = registry;
        var factory = Prometheus.Metrics.WithCustomRegistry(registry);
        _admissions = factory.CreateCounter(
            "sidepool_operator_webhook_admissions_total",
            "Pod admissions by outcome: injected, unchanged (no pool or already injected), not_injected (pools matched, none injected), ignored (not a pod CREATE), error.",
            "outcome");
        _missing = factory.CreateCounter(
            "sidepool_operator_webhook_missing_sidecars_total",
            "Pods admitted without the sidecar of a pool that selects them, by reason (port_conflict, host_network, name_in_use, not_rendered, image_not_allowed, error).",
            "reason");
        _duration = factory.CreateHistogram(
            "sidepool_operator_webhook_duration_seconds",
            "Time to answer an admission review.",
            new HistogramConfiguration { Buckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5], SuppressInitialValue = true });
    }

    /// <summary>The registry these metrics are in.</summary>
    public CollectorRegistry Registry { get; }

    public void Admission(string outcome, TimeSpan duration)
    {
        _admissions.WithLabels(outcome).Inc();
        _duration.Observe(duration.TotalSeconds);
    }

    public void Missing(string reason) => _missing.WithLabels(reason).Inc();
}
