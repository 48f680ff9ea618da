using System.Diagnostics.Metrics;
using System.Text;

namespace SidePool.Metrics;

/// <summary>What the collector keeps for one instrument: its Prometheus identity and its series.</summary>
internal sealed class InstrumentState
{
    private readonly Dictionary<string, SeriesState> _series = new(StringComparer.Ordinal);

    public InstrumentState(Instrument instrument, IReadOnlyList<double> defaultBuckets)
    {
        Instrument = instrument;
        (Kind, ReplacesValue) = Classify(instrument);
        var baseName = PrometheusText.MetricName(instrument.Name);
        Name = Kind == MetricKind.Counter && !baseName.EndsWith("_total", StringComparison.Ordinal) ? baseName + "_total" : baseName;
        IsObservable = instrument.IsObservable;
        Buckets = Kind == MetricKind.Histogram ? NormalizeBuckets(AdvisedBuckets(instrument) ?? defaultBuckets) : [];
    }

    public Instrument Instrument { get; }

    /// <summary>The exposed family name (counters end in <c>_total</c>).</summary>
    public string Name { get; }

    public MetricKind Kind { get; }

    public bool IsObservable { get; }

    /// <summary>True when a measurement is the current value (gauges, observable counters), false when it is an increment.</summary>
    public bool ReplacesValue { get; }

    public double[] Buckets { get; }

    public IEnumerable<SeriesState> Series => _series.Values;

    public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var labels = FormatLabels(tags);
        if (!_series.TryGetValue(labels, out var series))
        {
            series = new SeriesState(labels, Buckets.Length);
            _series.Add(labels, series);
        }

        switch (Kind)
        {
            case MetricKind.Histogram:
                var index = Array.BinarySearch(Buckets, value);
                series.BucketCounts[index >= 0 ? index : ~index]++;
                series.Sum += value;
                series.Count++;
                break;
            case MetricKind.Counter or MetricKind.Gauge when ReplacesValue:
                series.Value = value;
                break;
            default:
                series.Value += value;
                break;
        }
    }

    /// <summary>Forgets every series (observable instruments are re-observed on every scrape).</summary>
    public void Clear() => _series.Clear();

    internal static string FormatLabels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.Length == 0)
        {
            return "";
        }

        var pairs = new KeyValuePair<string, string>[tags.Length];
        for (var i = 0; i < tags.Length; i++)
        {
            var text = tags[i].Value switch
            {
                null => "",
                IFormattable formattable => formattable.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
                var other => other.ToString() ?? "",
            };
            pairs[i] = new(PrometheusText.LabelName(tags[i].Key), text);
        }

        Array.Sort(pairs, static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        var builder = new StringBuilder();
        foreach (var (key, value) in pairs)
        {
            if (builder.Length > 0)
            {
                builder.Append(',');
            }

            builder.Append(key).Append("=\"").Append(PrometheusText.EscapeLabelValue(value)).Append('"');
        }

        return builder.ToString();
    }

    private static (MetricKind Kind, bool ReplacesValue) Classify(Instrument instrument)
    {
        var type = instrument.GetType();
        var definition = type.IsGenericType ? type.GetGenericTypeDefinition() : type;
        return definition switch
        {
            _ when definition == typeof(Counter<>) => (MetricKind.Counter, false),
            _ when definition == typeof(ObservableCounter<>) => (MetricKind.Counter, true),
            _ when definition == typeof(UpDownCounter<>) => (MetricKind.Gauge, false),
            _ when definition == typeof(ObservableUpDownCounter<>) => (MetricKind.Gauge, true),
            _ when definition == typeof(Histogram<>) => (MetricKind.Histogram, false),
            _ => (MetricKind.Gauge, true), // Gauge<T>, ObservableGauge<T>
        };
    }

    private static IReadOnlyList<double>? AdvisedBuckets(Instrument instrument) => instrument switch
    {
        Histogram<double> h => h.Advice?.HistogramBucketBoundaries,
        Histogram<float> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToArray(),
        Histogram<long> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToArray(),
        Histogram<int> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToArray(),
        Histogram<short> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToArray(),
        Histogram<byte> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToArray(),
        Histogram<decimal> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToArray(),
        _ => null,
    };

    private static double[] NormalizeBuckets(IReadOnlyList<double> buckets) =>
        [.. buckets.Where(b => !double.IsNaN(b) && !double.IsPositiveInfinity(b)).Distinct().Order()];
}
