using SidePool.Demo;
using Xunit;

namespace SidePool.E2E;

/// <summary>The budget scenario's bookkeeping (pure parts): the peak, the sampling gaps and the CSV.</summary>
public sealed class BudgetTraceTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void The_peak_is_the_first_largest_sample_and_the_gap_the_longest_interval()
    {
        var samples = new[] { 3, 7, 12, 12, 5 }.Select((c, i) => new ConnectionSample(T0.AddMilliseconds(i == 4 ? 900 : i * 100), c)).ToList();

        Assert.Equal(new ConnectionSample(T0.AddMilliseconds(200), 12), BudgetTrace.Peak(samples));
        Assert.Equal(TimeSpan.FromMilliseconds(600), BudgetTrace.LargestGap(samples));
        Assert.Null(BudgetTrace.Peak([]));
    }

    [Fact]
    public void Each_csv_row_joins_a_sample_with_the_status_the_pods_and_the_step_last_seen_before_it()
    {
        var timeline = new Timeline();
        timeline.Add(new Sample(T0, 0, 0, new Dictionary<string, int> { ["v1"] = 2 }));
        timeline.Add(new Sample(T0.AddSeconds(1), 50, 0, new Dictionary<string, int> { ["v1"] = 3, ["v2"] = 1 }));
        timeline.Begin("scale \"up\"", T0.AddMilliseconds(500));
        var statuses = new[] { new StatusSample(T0.AddMilliseconds(100), 12, 6, 2, 0, 3) };
        var connections = new[] { new ConnectionSample(T0.AddMilliseconds(50), 4), new ConnectionSample(T0.AddMilliseconds(1100), 9) };

        var rows = BudgetTrace.Csv(connections, statuses, timeline, T0).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal("seconds,time,pg_connections,status_total,share,admitted,pending,planned_pods,pods_v1,pods_v2,step", rows[0]);
        Assert.Equal("0.050,2026-12-03T12:00:00.0500000+00:00,4,,,,,,2,0,\"\"", rows[1]);
        Assert.Equal("1.100,2026-12-03T12:00:01.1000000+00:00,9,12,6,2,0,3,3,1,\"scale \"\"up\"\"\"", rows[2]);
    }
}
