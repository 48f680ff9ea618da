namespace SidePool.Metrics;

/// <summary>The Prometheus metric type an instrument is exposed as.</summary>
internal enum MetricKind
{
    Counter,
    Gauge,
    Histogram,
}
