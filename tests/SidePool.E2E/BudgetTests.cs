using System.Diagnostics;
using SidePool.Demo;
using SidePool.Demo.Cluster;
using SidePool.Testing;
using Xunit;
using Xunit.Abstractions;

namespace SidePool.E2E;

/// <summary>
/// The live connection budget on real processes (issue 13; <c>make demo-budget</c> runs the same scenario): with
/// <c>backend.maxConnections</c> = 20 and the load generator running, the app scales 2 → 10 → 3 and a new version rolls
/// out; PostgreSQL's server connections for the pool's user, counted every 100 ms, never exceed 20, and every app
/// transaction commits.
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed class BudgetTests(SandboxFixture sandbox, ITestOutputHelper output)
{
    [Fact]
    public async Task Scaling_2_10_3_and_a_rollout_keep_postgres_within_max_connections_and_commit_every_app_transaction()
    {
        using var directory = new TestDirectory("budget");
        var log = new StringWriter();
        var clock = Stopwatch.StartNew();
        var app = new ShopApp(sandbox.Cluster, "budget");
        BudgetResult result;
        try
        {
            result = await new BudgetRun(directory.FullPath, log).RunAsync(sandbox.Cluster, app, CancellationToken.None);
        }
        finally
        {
            // the run's files, kept for a look after the test (its directory is removed)
            var kept = Path.Combine(Path.GetTempPath(), "sidepool-budget-e2e");
            Directory.CreateDirectory(kept);
            foreach (var file in Directory.GetFiles(directory.FullPath))
            {
                File.Copy(file, Path.Combine(kept, Path.GetFileName(file)), overwrite: true);
            }

            output.WriteLine($"files: {kept}");
            output.WriteLine(log.ToString());
            output.WriteLine($"budget scenario took {clock.Elapsed.TotalSeconds:0} s");
        }

        // PostgreSQL never held more than the budget for the pool's user, and the counting really ran all along
        // (100 ms sampling: at least half the samples it should have taken).
        Assert.InRange(result.PeakConnections, 1, BudgetRun.Budget);
        var expected = result.Elapsed.TotalMilliseconds / 100;
        Assert.True(result.Connections.Count > expected / 2, $"{result.Connections.Count} pg_stat_activity samples over {result.Elapsed.TotalSeconds:0.0} s");

        // What the operator reported the pods may open stayed within the budget too, in every status read.
        Assert.NotEmpty(result.Statuses);
        Assert.All(result.Statuses, s => Assert.True(s.Total is null or <= BudgetRun.Budget, $"status serverConnections.total {s.Total} at {s.Time:HH:mm:ss.fff}"));
        Assert.Contains(result.Statuses, s => s.Total is > 0);

        // Every transaction of every app pod is accounted for, and none failed.
        Assert.True(result.Failed == 0, $"{result.Failed} app transactions failed:\n{string.Join('\n', result.Failures.Take(20))}");
        Assert.True(result.Committed > 1_000, $"only {result.Committed} transactions committed");

        // The scenario did what it says: 10 pods ran, the old and the new version overlapped, the old one retired.
        Assert.Equal(10, result.PeakPods);
        Assert.NotEqual(result.FirstVersion, result.SecondVersion);
        Assert.True(result.OverlapSamples > 0, "no sample saw pods of both versions");
        Assert.Equal("Retired", result.FirstVersionState);

        Assert.True(new FileInfo(result.PlotPath).Length > 10_000, "the plot was not written");
        Assert.True(File.ReadLines(result.CsvPath).Count() == result.Connections.Count + 1, "the CSV does not hold every sample");
        await app.StopAsync();
    }
}
