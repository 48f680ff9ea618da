using ScottPlot;

namespace SidePool.Demo;

/// <summary>
/// The budget scenario's plot (PNG): above, PostgreSQL's server connections for the pool's user (every 100 ms) and
/// the status' total against the budget line; below, the app pods per version and the share each pod runs with; the
/// steps marked in both.
/// </summary>
internal static class BudgetPlot
{
    public static void Save(BudgetResult result, DateTimeOffset start, string path, int width = 1200, int height = 750)
    {
        if (result.Connections.Count == 0)
        {
            throw new InvalidOperationException("nothing to plot: no pg_stat_activity sample was taken");
        }

        double Seconds(DateTimeOffset t) => (t - start).TotalSeconds;

        var multiplot = new Multiplot();
        multiplot.AddPlots(2);
        var connections = multiplot.GetPlot(0);
        var pods = multiplot.GetPlot(1);

        var postgres = connections.Add.ScatterLine(result.Connections.Select(c => Seconds(c.Time)).ToArray(), result.Connections.Select(c => (double)c.Connections).ToArray());
        postgres.ConnectStyle = ConnectStyle.StepHorizontal;
        postgres.LineWidth = 1.5f;
        postgres.LegendText = "server connections at PostgreSQL (pg_stat_activity, every 100 ms)";
        var statuses = result.Statuses.Where(s => s.Total is not null).ToList();
        if (statuses.Count > 0)
        {
            var total = connections.Add.ScatterLine(statuses.Select(s => Seconds(s.Time)).ToArray(), statuses.Select(s => (double)s.Total!.Value).ToArray());
            total.ConnectStyle = ConnectStyle.StepHorizontal;
            total.LinePattern = LinePattern.Dotted;
            total.LegendText = "status serverConnections.total (what the pods may open)";
        }

        var budget = connections.Add.HorizontalLine(result.Budget);
        budget.Color = Colors.Red;
        budget.LineWidth = 2;
        budget.LegendText = $"budget: backend.maxConnections = {result.Budget}";
        connections.Title($"SidePool live budget: peak {result.PeakConnections} of {result.Budget} server connections, {result.Committed} app transactions, {result.Failed} failed");
        connections.YLabel("server connections");
        connections.Axes.SetLimitsY(0, result.Budget * 1.8);
        connections.ShowLegend();
        connections.Legend.Alignment = Alignment.UpperLeft;

        DemoPlot.AddPodsPerVersion(pods, result.Timeline.Samples, Seconds);
        var shares = result.Statuses.Where(s => s.Share is not null).ToList();
        if (shares.Count > 0)
        {
            var share = pods.Add.ScatterLine(shares.Select(s => Seconds(s.Time)).ToArray(), shares.Select(s => (double)s.Share!.Value).ToArray());
            share.ConnectStyle = ConnectStyle.StepHorizontal;
            share.LinePattern = LinePattern.Dotted;
            share.LegendText = "share per pod (status)";
        }

        pods.YLabel("app pods / share");
        pods.XLabel("seconds");
        pods.Axes.SetLimitsY(0, Math.Max(result.PeakPods, 1) * 1.5);
        pods.ShowLegend();
        pods.Legend.Alignment = Alignment.UpperLeft;

        DemoPlot.MarkSteps(result.Timeline.Steps, Seconds, connections, [connections, pods]);
        var end = Math.Max(1, Seconds(result.Connections[^1].Time));
        foreach (var plot in new[] { connections, pods })
        {
            plot.Axes.SetLimitsX(0, end);
        }

        multiplot.SavePng(path, width, height);
    }
}
