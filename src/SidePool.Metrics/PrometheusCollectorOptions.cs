using System.Diagnostics.Metrics;

namespace SidePool.Metrics;

/// <summary>Which meters a <see cref="PrometheusCollector"/> listens to and how it buckets histograms.</summary>
public sealed record PrometheusCollectorOptions
{
    /// <summary>The Prometheus client libraries' default buckets (seconds).</summary>
    public static IReadOnlyList<double> DefaultBuckets { get; } = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    /// <summary>Selects the meters to collect; by default every meter.</summary>
    public Func<Meter, bool> MeterFilter { get; init; } = static _ => true;

    /// <summary>Bucket upper bounds for histograms that carry no bucket advice.</summary>
    public IReadOnlyList<double> HistogramBuckets { get; init; } = DefaultBuckets;

    /// <summary>Collects only the meters with one of these names.</summary>
    public static PrometheusCollectorOptions ForMeters(params string[] meterNames)
    {
        var names = meterNames.ToHashSet(StringComparer.Ordinal);
        return new PrometheusCollectorOptions { MeterFilter = meter => names.Contains(meter.Name) };
    }
}
