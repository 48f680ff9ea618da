using System.Text;
using Prometheus;
using SidePool.Operator.Telemetry;
using Xunit;

namespace SidePool.Operator.Tests.Telemetry;

/// <summary>
/// The pool-health gauges the chart's alerts read (<c>sidepool_operator_pools_with_condition</c>,
/// <c>sidepool_operator_pods</c>): counts over pools, every condition always present, a forgotten pool no longer
/// counted, no pool name in any label.
/// </summary>
public sealed class PoolHealthMetricsTests
{
    [Fact]
    public async Task Pools_are_counted_per_true_condition_and_pods_per_state()
    {
        using var metrics = new OperatorMetrics();
        metrics.Health("shop/orders", ["Ready"], outdated: 0, missing: 0);
        metrics.Health("shop/reports", ["Degraded", "Progressing", "BudgetExceeded"], outdated: 3, missing: 1);
        metrics.Health("ops/audit", ["Degraded"], outdated: 2, missing: 0);

        var text = await ScrapeAsync(metrics);
        Assert.Contains("sidepool_operator_pools_with_condition{condition=\"Ready\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("sidepool_operator_pools_with_condition{condition=\"Degraded\"} 2", text, StringComparison.Ordinal);
        Assert.Contains("sidepool_operator_pools_with_condition{condition=\"BudgetExceeded\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("sidepool_operator_pools_with_condition{condition=\"Conflict\"} 0", text, StringComparison.Ordinal);
        Assert.Contains("sidepool_operator_pods{state=\"outdated\"} 5", text, StringComparison.Ordinal);
        Assert.Contains("sidepool_operator_pods{state=\"missing\"} 1", text, StringComparison.Ordinal);
        Assert.DoesNotContain("orders", text, StringComparison.Ordinal);

        metrics.Forget("shop/reports");
        text = await ScrapeAsync(metrics);
        Assert.Contains("sidepool_operator_pools_with_condition{condition=\"Degraded\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("sidepool_operator_pods{state=\"outdated\"} 2", text, StringComparison.Ordinal);
        Assert.Contains("sidepool_operator_pods{state=\"missing\"} 0", text, StringComparison.Ordinal);
    }

    private static async Task<string> ScrapeAsync(OperatorMetrics metrics)
    {
        using var stream = new MemoryStream();
        await metrics.Registry.CollectAndExportAsTextAsync(stream);
        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
