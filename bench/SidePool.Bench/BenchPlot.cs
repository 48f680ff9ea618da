using System.Globalization;
using ScottPlot;

namespace SidePool.Bench;

/// <summary>The pgbench numbers of <c>all</c> as a PNG: tps per way in, connect per transaction above, persistent below.</summary>
internal static class BenchPlot
{
    private static readonly (string Target, string Label)[] Targets =
    [
        (PgbenchMatrix.Direct, "PostgreSQL direct\n(TCP, SCRAM)"),
        (PgbenchMatrix.Central, "central PgBouncer,\nCloudNativePG config\n(TCP, SCRAM)"),
        (PgbenchMatrix.SidecarTcp, "SidePool sidecar\n(TCP 127.0.0.1)"),
        (PgbenchMatrix.SidecarSocket, "SidePool sidecar\n(unix socket)"),
    ];

    public static void Save(List<PgbenchResult> results, PgbenchSettings settings, string path, int width = 1100, int height = 800)
    {
        var multiplot = new Multiplot();
        multiplot.AddPlots(2);
        Draw(multiplot.GetPlot(0), results, connectPerTransaction: true, $"pgbench -S, a new connection per transaction (-C): transactions/s (median of {settings.Rounds} rounds)");
        Draw(multiplot.GetPlot(1), results, connectPerTransaction: false, $"pgbench -S, persistent connections: transactions/s ({settings.Clients} clients, {settings.Threads} threads, {settings.Seconds} s per round)");
        multiplot.SavePng(path, width, height);
    }

    private static void Draw(Plot plot, List<PgbenchResult> results, bool connectPerTransaction, string title)
    {
        var palette = new ScottPlot.Palettes.Category10();
        var bars = new List<Bar>();
        var labels = new List<string>();
        for (var i = 0; i < Targets.Length; i++)
        {
            var result = results.SingleOrDefault(r => r.Target == Targets[i].Target && r.ConnectPerTransaction == connectPerTransaction);
            var value = result?.Tps ?? 0;
            bars.Add(new Bar
            {
                Position = Targets.Length - 1 - i, // first target on top
                Value = value,
                Label = value.ToString("N0", CultureInfo.InvariantCulture),
                FillColor = palette.GetColor(i),
            });
            labels.Add(Targets[i].Label);
        }

        var barPlot = plot.Add.Bars(bars);
        barPlot.Horizontal = true;
        barPlot.ValueLabelStyle.FontSize = 14;
        plot.Axes.Left.SetTicks([.. Enumerable.Range(0, Targets.Length).Select(i => (double)(Targets.Length - 1 - i))], [.. labels]);
        plot.Axes.Margins(left: 0, right: 0.15);
        plot.Title(title);
        plot.XLabel("transactions/s");
    }
}
