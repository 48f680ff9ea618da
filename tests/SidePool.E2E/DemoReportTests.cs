using SidePool.Demo;
using SidePool.Testing;
using Xunit;

namespace SidePool.E2E;

/// <summary>The demo's bookkeeping (pure parts): every transaction accounted for, per step, and the plot.</summary>
public sealed class DemoReportTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void The_ledger_keeps_each_pods_cumulative_counts_and_every_failure()
    {
        var ledger = new LoadLedger();
        foreach (var (pod, line) in new[]
        {
            ("a", """{"kind":"stats","time":"2026-12-02T12:00:01Z","ok":10,"failed":0}"""),
            ("b", """{"kind":"stats","time":"2026-12-02T12:00:01Z","ok":7,"failed":0}"""),
            ("a", """{"kind":"failure","time":"2026-12-02T12:00:02Z","error":"server closed the connection unexpectedly","sqlstate":"08006"}"""),
            ("a", """{"kind":"stats","time":"2026-12-02T12:00:02Z","ok":15,"failed":1}"""),
            ("a", "not json: a log line"),
            ("b", """{"kind":"final","time":"2026-12-02T12:00:03Z","ok":9,"failed":0}"""),
        })
        {
            if (LoadgenEvent.Parse(line) is { } e)
            {
                ledger.Record(pod, e);
            }
        }

        Assert.Equal(24, ledger.Ok);
        Assert.Equal(1, ledger.Failed);
        Assert.Equal("08006 server closed the connection unexpectedly", Assert.Single(ledger.Failures).Error);
        Assert.Equal(new Dictionary<string, bool> { ["a"] = false, ["b"] = true }, ledger.Pods);
    }

    [Fact]
    public void Steps_are_summarised_from_the_samples_around_them()
    {
        var timeline = new Timeline();
        for (var i = 0; i <= 10; i++)
        {
            timeline.Add(new Sample(T0.AddSeconds(i), i * 100, i >= 7 ? 2 : 0, new Dictionary<string, int> { ["v1"] = i < 5 ? 3 : 1, ["v2"] = i < 5 ? 0 : 2 }));
        }

        timeline.Begin("reload", T0.AddSeconds(1));
        timeline.End(T0.AddSeconds(4));
        timeline.Begin("new version", T0.AddSeconds(4));
        timeline.End(T0.AddSeconds(9));

        var rows = timeline.Summarize();
        Assert.Equal(["reload", "new version"], rows.Select(r => r.Step));
        Assert.Equal((300L, 0L), (rows[0].Transactions, rows[0].Failed));
        Assert.Equal((500L, 2L), (rows[1].Transactions, rows[1].Failed));
        Assert.Equal("v1:1 v2:2", rows[1].PodsPerVersion);
        Assert.Equal(100, timeline.Throughput()[0].Tps, 3);

        var table = SummaryTable.Render(rows);
        Assert.Contains("| new version | 5.0 s | 500 | 2 |", table, StringComparison.Ordinal);
        Assert.Contains("| **total** | 8.0 s | 800 | 2 |", table, StringComparison.Ordinal);
    }

    [Fact]
    public void The_plot_is_a_png()
    {
        var timeline = new Timeline();
        for (var i = 0; i <= 5; i++)
        {
            timeline.Add(new Sample(T0.AddSeconds(i), i * 50, 0, new Dictionary<string, int> { ["v1"] = 3 }));
        }

        timeline.Begin("scale", T0.AddSeconds(2));
        using var directory = new TestDirectory("plot");
        var path = directory.PathOf("demo.png");
        DemoPlot.Save(timeline, path);

        var bytes = File.ReadAllBytes(path);
        Assert.True(bytes.Length > 10_000, $"{bytes.Length} bytes");
        Assert.Equal("\u0089PNG", System.Text.Encoding.Latin1.GetString(bytes, 0, 4));
        Assert.Throws<InvalidOperationException>(() => DemoPlot.Save(new Timeline(), directory.PathOf("empty.png")));
    }
}
