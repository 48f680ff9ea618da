using System.Diagnostics.Metrics;

namespace SidePool.Metrics;

/// <summary>
/// Listens to <see cref="System.Diagnostics.Metrics"/> instruments and writes them in the Prometheus text
/// exposition format 0.0.4. Counters become <c>&lt;name&gt;_total</c> counters, up-down counters and gauges
/// become gauges, histograms become <c>_bucket{le}</c>/<c>_sum</c>/<c>_count</c>. The instrument name is the
/// metric name (invalid characters become <c>_</c>); tags are labels. Families are written sorted by name,
/// series sorted by their labels, labels sorted by name.
/// </summary>
public sealed class PrometheusCollector : IMetricsExposition, IDisposable
{
    private readonly Lock _gate = new();
    private readonly List<InstrumentState> _instruments = [];
    private readonly MeterListener _listener;
    private readonly PrometheusCollectorOptions _options;

    public PrometheusCollector(PrometheusCollectorOptions? options = null)
    {
        _options = options ?? new PrometheusCollectorOptions();
        _listener = new MeterListener
        {
            InstrumentPublished = OnInstrumentPublished,
            MeasurementsCompleted = OnMeasurementsCompleted,
        };
        _listener.SetMeasurementEventCallback<double>(static (i, m, t, s) => Record(s, m, t));
        _listener.SetMeasurementEventCallback<float>(static (i, m, t, s) => Record(s, m, t));
        _listener.SetMeasurementEventCallback<long>(static (i, m, t, s) => Record(s, m, t));
        _listener.SetMeasurementEventCallback<int>(static (i, m, t, s) => Record(s, m, t));
        _listener.SetMeasurementEventCallback<short>(static (i, m, t, s) => Record(s, m, t));
        _listener.SetMeasurementEventCallback<byte>(static (i, m, t, s) => Record(s, m, t));
        _listener.SetMeasurementEventCallback<decimal>(static (i, m, t, s) => Record(s, (double)m, t));
        _listener.Start();
    }

    public string ContentType => PrometheusText.ContentType;

    /// <summary>Writes the exposition into a string.</summary>
    public string Collect()
    {
        using var writer = new StringWriter();
        Write(writer);
        return writer.ToString();
    }

    public void Write(TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        lock (_gate)
        {
            foreach (var instrument in _instruments.Where(i => i.IsObservable))
            {
                instrument.Clear();
            }

            _listener.RecordObservableInstruments();
            foreach (var family in _instruments.GroupBy(i => i.Name, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                WriteFamily(writer, family.Key, [.. family]);
            }
        }
    }

    public void Dispose() => _listener.Dispose();

    private static void Record(object? state, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (state is CollectorInstrument { Owner: var owner, State: var instrument })
        {
            lock (owner._gate)
            {
                instrument.Record(value, tags);
            }
        }
    }

    private static void WriteFamily(TextWriter writer, string name, List<InstrumentState> members)
    {
        var first = members[0];
        var help = members.Select(m => m.Instrument.Description).FirstOrDefault(d => !string.IsNullOrEmpty(d));
        if (help is not null)
        {
            writer.Write($"# HELP {name} {PrometheusText.EscapeHelp(help)}\n");
        }

        var type = first.Kind switch
        {
            MetricKind.Counter => "counter",
            MetricKind.Histogram => "histogram",
            _ => "gauge",
        };
        writer.Write($"# TYPE {name} {type}\n");
        foreach (var (instrument, series) in members
                     .SelectMany(m => m.Series.Select(s => (m, s)))
                     .OrderBy(x => x.s.Labels, StringComparer.Ordinal))
        {
            if (instrument.Kind == MetricKind.Histogram)
            {
                WriteHistogram(writer, name, instrument.Buckets, series);
            }
            else
            {
                writer.Write(name);
                WriteLabels(writer, series.Labels, null);
                writer.Write($" {PrometheusText.FormatValue(series.Value)}\n");
            }
        }
    }

    private static void WriteHistogram(TextWriter writer, string name, double[] buckets, SeriesState series)
    {
        long cumulative = 0;
        for (var i = 0; i <= buckets.Length; i++)
        {
            cumulative += series.BucketCounts[i];
            var le = i < buckets.Length ? PrometheusText.FormatValue(buckets[i]) : "+Inf";
            writer.Write(name);
            writer.Write("_bucket");
            WriteLabels(writer, series.Labels, le);
            writer.Write($" {cumulative.ToString(System.Globalization.CultureInfo.InvariantCulture)}\n");
        }

        writer.Write($"{name}_sum");
        WriteLabels(writer, series.Labels, null);
        writer.Write($" {PrometheusText.FormatValue(series.Sum)}\n");
        writer.Write($"{name}_count");
        WriteLabels(writer, series.Labels, null);
        writer.Write($" {series.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)}\n");
    }

    private static void WriteLabels(TextWriter writer, string labels, string? le)
    {
        if (labels.Length == 0 && le is null)
        {
            return;
        }

        writer.Write('{');
        writer.Write(labels);
        if (le is not null)
        {
            if (labels.Length > 0)
            {
                writer.Write(',');
            }

            writer.Write($"le=\"{le}\"");
        }

        writer.Write('}');
    }

    private void OnInstrumentPublished(Instrument instrument, MeterListener listener)
    {
        if (!_options.MeterFilter(instrument.Meter))
        {
            return;
        }

        var state = new InstrumentState(instrument, _options.HistogramBuckets);
        lock (_gate)
        {
            _instruments.Add(state);
        }

        listener.EnableMeasurementEvents(instrument, new CollectorInstrument(this, state));
    }

    private void OnMeasurementsCompleted(Instrument instrument, object? state)
    {
        if (state is CollectorInstrument { State: var instrumentState })
        {
            lock (_gate)
            {
                _instruments.Remove(instrumentState);
            }
        }
    }

    /// <summary>The listener state attached to an enabled instrument.</summary>
    private sealed record CollectorInstrument(PrometheusCollector Owner, InstrumentState State);
}
