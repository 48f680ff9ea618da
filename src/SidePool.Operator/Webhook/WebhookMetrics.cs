using System.Diagnostics.Metrics;

namespace SidePool.Operator.Webhook;

/// <summary>
/// Webhook instruments, meter <see cref="MeterName"/>: <c>sidepool_operator_webhook_admissions_total{outcome}</c>,
/// <c>sidepool_operator_webhook_duration_seconds</c> (histogram) and
/// <c>sidepool_operator_webhook_missing_sidecars_total{reason}</c> (pods admitted without a matching pool's sidecar).
/// </summary>
public sealed class WebhookMetrics : IDisposable
{
    public const string MeterName = "SidePool.Operator.Webhook";

    private readonly Meter _meter = new(MeterName);
    private readonly Counter<long> _admissions;
    private readonly Counter<long> _missing;
    private readonly Histogram<double> _duration;

    public WebhookMetrics()
    {
        _admissions = _meter.CreateCounter<long>(
            "sidepool_operator_webhook_admissions",
            description: "Pod admissions by outcome: injected, unchanged (no pool or already injected), not_injected (pools matched, none injected), ignored (not a pod CREATE), error.");
        _missing = _meter.CreateCounter<long>(
            "sidepool_operator_webhook_missing_sidecars",
            description: "Pods admitted without the sidecar of a pool that selects them, by reason (port_conflict, host_network, name_in_use, not_rendered, error).");
        _duration = _meter.CreateHistogram<double>(
            "sidepool_operator_webhook_duration_seconds",
            unit: "s",
            description: "Time to answer an admission review.",
            tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] });
    }

    public void Admission(string outcome, TimeSpan duration)
    {
        _admissions.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
        _duration.Record(duration.TotalSeconds);
    }

    public void Missing(string reason) => _missing.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void Dispose() => _meter.Dispose();
}
