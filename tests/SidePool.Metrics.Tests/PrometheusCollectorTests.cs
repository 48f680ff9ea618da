using System.Diagnostics.Metrics;
using Xunit;

namespace SidePool.Metrics.Tests;

public sealed class PrometheusCollectorTests : IDisposable
{
    private readonly string _meterName = "test." + Guid.NewGuid().ToString("N");
    private readonly Meter _meter;
    private readonly PrometheusCollector _collector;

    public PrometheusCollectorTests()
    {
        _meter = new Meter(_meterName);
        _collector = new PrometheusCollector(PrometheusCollectorOptions.ForMeters(_meterName));
    }

    public void Dispose()
    {
        _meter.Dispose();
        _collector.Dispose();
    }

    [Fact]
    public void Counter_is_exposed_with_total_suffix_help_and_type()
    {
        var counter = _meter.CreateCounter<long>("app_requests", description: "Requests served.");
        counter.Add(2, new KeyValuePair<string, object?>("code", "200"));
        counter.Add(3, new KeyValuePair<string, object?>("code", "200"));
        counter.Add(1, new KeyValuePair<string, object?>("code", "500"));

        Assert.Equal(
            "# HELP app_requests_total Requests served.\n" +
            "# TYPE app_requests_total counter\n" +
            "app_requests_total{code=\"200\"} 5\n" +
            "app_requests_total{code=\"500\"} 1\n",
            _collector.Collect());
    }

    [Fact]
    public void Counter_already_ending_in_total_is_not_suffixed_twice()
    {
        _meter.CreateCounter<double>("bytes_sent_total").Add(1.5);

        Assert.Equal("# TYPE bytes_sent_total counter\nbytes_sent_total 1.5\n", _collector.Collect());
    }

    [Fact]
    public void Observable_counter_reports_the_observed_cumulative_value()
    {
        var total = 10L;
        _meter.CreateObservableCounter("observed", () => total);

        Assert.Contains("observed_total 10\n", _collector.Collect(), StringComparison.Ordinal);
        total = 25;
        Assert.Contains("observed_total 25\n", _collector.Collect(), StringComparison.Ordinal);
    }

    [Fact]
    public void Gauges_and_up_down_counters_are_gauges()
    {
        var level = _meter.CreateGauge<int>("level");
        level.Record(7);
        level.Record(4);
        var inFlight = _meter.CreateUpDownCounter<int>("in_flight");
        inFlight.Add(3);
        inFlight.Add(-1);
        _meter.CreateObservableGauge("temperature", () => new Measurement<double>(-2.25, new KeyValuePair<string, object?>("room", "a")));

        Assert.Equal(
            "# TYPE in_flight gauge\nin_flight 2\n" +
            "# TYPE level gauge\nlevel 4\n" +
            "# TYPE temperature gauge\ntemperature{room=\"a\"} -2.25\n",
            _collector.Collect());
    }

    [Fact]
    public void Observable_series_that_disappear_are_not_kept()
    {
        var rooms = new List<string> { "a", "b" };
        _meter.CreateObservableGauge("occupied", () => rooms.Select(r => new Measurement<int>(1, new KeyValuePair<string, object?>("room", r))));

        Assert.Contains("occupied{room=\"b\"} 1\n", _collector.Collect(), StringComparison.Ordinal);
        rooms.Remove("b");
        var text = _collector.Collect();
        Assert.Contains("occupied{room=\"a\"} 1\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("room=\"b\"", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Histogram_with_advised_buckets_writes_cumulative_buckets_sum_and_count()
    {
        var histogram = _meter.CreateHistogram<double>(
            "latency_seconds",
            unit: "s",
            description: "Latency.",
            tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.1, 0.5, 1] });
        foreach (var v in new[] { 0.05, 0.1, 0.3, 0.7, 2.0 })
        {
            histogram.Record(v, new KeyValuePair<string, object?>("op", "read"));
        }

        Assert.Equal(
            "# HELP latency_seconds Latency.\n" +
            "# TYPE latency_seconds histogram\n" +
            "latency_seconds_bucket{op=\"read\",le=\"0.1\"} 2\n" +
            "latency_seconds_bucket{op=\"read\",le=\"0.5\"} 3\n" +
            "latency_seconds_bucket{op=\"read\",le=\"1\"} 4\n" +
            "latency_seconds_bucket{op=\"read\",le=\"+Inf\"} 5\n" +
            "latency_seconds_sum{op=\"read\"} 3.15\n" +
            "latency_seconds_count{op=\"read\"} 5\n",
            _collector.Collect());
    }

    [Fact]
    public void Histogram_without_advice_uses_default_buckets()
    {
        _meter.CreateHistogram<long>("size").Record(3);

        var text = _collector.Collect();

        Assert.Contains("size_bucket{le=\"0.005\"} 0\n", text, StringComparison.Ordinal);
        Assert.Contains("size_bucket{le=\"2.5\"} 0\n", text, StringComparison.Ordinal);
        Assert.Contains("size_bucket{le=\"5\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("size_bucket{le=\"+Inf\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("size_sum 3\nsize_count 1\n", text, StringComparison.Ordinal);
        Assert.Equal(PrometheusCollectorOptions.DefaultBuckets.Count + 1, text.Split('\n').Count(l => l.StartsWith("size_bucket", StringComparison.Ordinal)));
    }

    [Fact]
    public void Label_values_are_escaped_and_labels_sorted_by_name()
    {
        _meter.CreateGauge<int>("escaped").Record(
            1,
            new KeyValuePair<string, object?>("zeta", "a\\b"),
            new KeyValuePair<string, object?>("alpha", "say \"hi\"\nbye"));

        Assert.Contains("escaped{alpha=\"say \\\"hi\\\"\\nbye\",zeta=\"a\\\\b\"} 1\n", _collector.Collect(), StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_characters_in_names_become_underscores()
    {
        _meter.CreateGauge<int>("http.server-active", description: "multi\nline \\ help").Record(1, new KeyValuePair<string, object?>("net.peer", "x"));

        var text = _collector.Collect();

        Assert.Contains("# HELP http_server_active multi\\nline \\\\ help\n", text, StringComparison.Ordinal);
        Assert.Contains("http_server_active{net_peer=\"x\"} 1\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Families_are_sorted_by_name_and_series_by_labels()
    {
        var b = _meter.CreateGauge<int>("b_metric");
        var a = _meter.CreateGauge<int>("a_metric");
        b.Record(1);
        a.Record(2, new KeyValuePair<string, object?>("k", "z"));
        a.Record(3, new KeyValuePair<string, object?>("k", "m"));

        Assert.Equal(
            "# TYPE a_metric gauge\na_metric{k=\"m\"} 3\na_metric{k=\"z\"} 2\n# TYPE b_metric gauge\nb_metric 1\n",
            _collector.Collect());
    }

    [Fact]
    public void Other_meters_are_ignored_and_disposed_meters_disappear()
    {
        using (var other = new Meter("other." + Guid.NewGuid().ToString("N")))
        {
            other.CreateGauge<int>("foreign").Record(1);
        }

        var temporary = new Meter(_meterName);
        temporary.CreateGauge<int>("temporary").Record(1);
        Assert.Contains("temporary 1", _collector.Collect(), StringComparison.Ordinal);
        temporary.Dispose();

        var text = _collector.Collect();
        Assert.DoesNotContain("foreign", text, StringComparison.Ordinal);
        Assert.DoesNotContain("temporary", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Special_values_are_formatted_as_prometheus_expects()
    {
        Assert.Equal("+Inf", PrometheusText.FormatValue(double.PositiveInfinity));
        Assert.Equal("-Inf", PrometheusText.FormatValue(double.NegativeInfinity));
        Assert.Equal("NaN", PrometheusText.FormatValue(double.NaN));
        Assert.Equal("1E-07", PrometheusText.FormatValue(1e-7));
        Assert.Equal("0.25", PrometheusText.FormatValue(0.25));
        Assert.Equal("_9lives", PrometheusText.MetricName("9lives"));
        Assert.Equal("a:b", PrometheusText.MetricName("a:b"));
        Assert.Equal("a_b", PrometheusText.LabelName("a:b"));
    }

    [Fact]
    public void Concurrent_recording_loses_no_increment()
    {
        var counter = _meter.CreateCounter<long>("concurrent");
        Parallel.For(0, 10_000, _ => counter.Add(1));

        Assert.Contains("concurrent_total 10000\n", _collector.Collect(), StringComparison.Ordinal);
    }

    [Fact]
    public void Content_type_is_text_format_0_0_4()
    {
        IMetricsExposition exposition = _collector;
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", exposition.ContentType);
    }
}
