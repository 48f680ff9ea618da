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

        var versions = timeline.Samples.SelectMany(s => s.PodsPerVersion.Where(v => v.Value > 0).Select(v => v.Key)).Distinct(StringComparer.Ordinal).ToList(); // in order of appearance
        var times = timeline.Samples.Select(s => Seconds(s.Time)).ToArray();
        foreach (var version in versions)
        {
            var series = pods.Add.ScatterLine(times, timeline.Samples.Select(s => (double)s.PodsPerVersion.GetValueOrDefault(version)).ToArray());
            series.LegendText = $"pods on {version}";
        }

        pods.YLabel("app pods");
        pods.XLabel("seconds");
        pods.ShowLegend();

        // Steps: one dashed line per step, the same color in both plots, numbered; the numbers are explained in the
        // upper plot's legend (labels under the lines would overlap each other and the axis).
        var palette = new ScottPlot.Palettes.Category10();
        var end = Seconds(timeline.Samples[^1].Time);
        for (var i = 0; i < timeline.Steps.Count; i++)
        {
            var step = timeline.Steps[i];
            var color = palette.GetColor(i + 2); // 0 and 1 draw the series
            foreach (var plot in new[] { tps, pods })
            {
                var marker = plot.Add.VerticalLine(Seconds(step.Start));
                marker.LinePattern = LinePattern.Dashed;
                marker.Color = color;
                marker.Text = (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
                marker.LabelOppositeAxis = true;
                if (plot == tps)
                {
                    marker.LegendText = $"{i + 1}: {step.Name}";
                }
            }
        }

        foreach (var plot in new[] { tps, pods })
        {
            plot.Axes.SetLimitsX(0, Math.Max(1, end));
        }

        // Room above the curve for the legend.
        tps.Axes.SetLimitsY(0, Math.Max(10, throughput.Count == 0 ? 0 : throughput.Max(t => t.Tps)) * 2.2);
        tps.Legend.Alignment = Alignment.UpperLeft;
        pods.Legend.Alignment = Alignment.UpperLeft;

        multiplot.SavePng(path, width, height);
    }
}
