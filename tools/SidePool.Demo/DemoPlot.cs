using ScottPlot;

namespace SidePool.Demo;

/// <summary>The demo's plot (PNG): app transactions per second over time, pods per pool version, the steps marked.</summary>
internal static class DemoPlot
{
    public static void Save(Timeline timeline, string path, int width = 1200, int height = 700)
    {
        if (timeline.Samples.Count == 0)
        {
            throw new InvalidOperationException("nothing to plot: no sample was taken");
        }

        var start = timeline.Samples[0].Time;
        double Seconds(DateTimeOffset t) => (t - start).TotalSeconds;

        var multiplot = new Multiplot();
        multiplot.AddPlots(2);
        var tps = multiplot.GetPlot(0);
        var pods = multiplot.GetPlot(1);

        var throughput = timeline.Throughput();
        var line = tps.Add.ScatterLine(throughput.Select(t => Seconds(t.Time)).ToArray(), throughput.Select(t => t.Tps).ToArray());
        line.LegendText = "app transactions/s";
        var failures = timeline.Samples.Zip(timeline.Samples.Skip(1), (a, b) => (b.Time, Failed: b.Failed - a.Failed)).Where(f => f.Failed > 0).ToList();
        if (failures.Count > 0)
        {
            var failed = tps.Add.ScatterPoints(failures.Select(f => Seconds(f.Time)).ToArray(), failures.Select(f => (double)f.Failed).ToArray());
            failed.LegendText = "failed transactions";
            failed.Color = Colors.Red;
        }

        tps.Title("SidePool demo: the app under load");
        tps.YLabel("transactions/s");
        tps.ShowLegend();

        var versions = timeline.Samples.SelectMany(s => s.PodsPerVersion.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var times = timeline.Samples.Select(s => Seconds(s.Time)).ToArray();
        foreach (var version in versions)
        {
            var series = pods.Add.ScatterLine(times, timeline.Samples.Select(s => (double)s.PodsPerVersion.GetValueOrDefault(version)).ToArray());
            series.LegendText = $"pods on {version}";
        }

        pods.YLabel("app pods");
        pods.XLabel("seconds");
        pods.ShowLegend();

        foreach (var plot in new[] { tps, pods })
        {
            foreach (var step in timeline.Steps)
            {
                var marker = plot.Add.VerticalLine(Seconds(step.Start));
                marker.LinePattern = LinePattern.Dashed;
                if (plot == tps)
                {
                    marker.Text = step.Name;
                }
            }
        }

        multiplot.SavePng(path, width, height);
    }
}
