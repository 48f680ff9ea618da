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

        AddPodsPerVersion(pods, timeline.Samples, Seconds);

        pods.YLabel("app pods");
        pods.XLabel("seconds");
        pods.ShowLegend();

        MarkSteps(timeline.Steps, Seconds, tps, [tps, pods]);
        var end = Seconds(timeline.Samples[^1].Time);

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

    /// <summary>One line per pool version (in order of appearance): its pods at each sample.</summary>
    public static void AddPodsPerVersion(Plot plot, IReadOnlyList<Sample> samples, Func<DateTimeOffset, double> seconds)
    {
        var versions = samples.SelectMany(s => s.PodsPerVersion.Where(v => v.Value > 0).Select(v => v.Key)).Distinct(StringComparer.Ordinal).ToList(); // in order of appearance
        var times = samples.Select(s => seconds(s.Time)).ToArray();
        foreach (var version in versions)
        {
            var series = plot.Add.ScatterLine(times, samples.Select(s => (double)s.PodsPerVersion.GetValueOrDefault(version)).ToArray());
            series.LegendText = $"pods on {version}";
        }
    }

    /// <summary>
    /// Steps: one dashed line per step, the same color in every plot, numbered; the numbers are explained in
    /// <paramref name="legend"/>'s legend (labels under the lines would overlap each other and the axis).
    /// </summary>
    public static void MarkSteps(IReadOnlyList<Step> steps, Func<DateTimeOffset, double> seconds, Plot legend, IReadOnlyList<Plot> plots)
    {
        var palette = new ScottPlot.Palettes.Category10();
        for (var i = 0; i < steps.Count; i++)
        {
            var step = steps[i];
            var color = palette.GetColor(i + 2); // 0 and 1 draw the series
            foreach (var plot in plots)
            {
                var marker = plot.Add.VerticalLine(seconds(step.Start));
                marker.LinePattern = LinePattern.Dashed;
                marker.Color = color;
                marker.Text = (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
                marker.LabelOppositeAxis = true;
                if (plot == legend)
                {
                    marker.LegendText = $"{i + 1}: {step.Name}";
                }
            }
        }
    }
}
