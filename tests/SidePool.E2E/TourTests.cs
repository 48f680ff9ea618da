using System.Diagnostics;
using SidePool.Demo;
using SidePool.Demo.Cluster;
using SidePool.Testing;
using Xunit;
using Xunit.Abstractions;

namespace SidePool.E2E;

/// <summary>
/// The demo's tour as assertions (<c>make demo</c> runs the same steps): a 3-replica app under load, then a pool size
/// change, a backend password rotation, a restart-only change (a new version) and scaling 3 → 6 → 2 with
/// <c>backend.maxConnections</c> set.
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed class TourTests(SandboxFixture sandbox, ITestOutputHelper output)
{
    [Fact]
    public async Task Reload_rotation_rollout_and_scaling_commit_every_app_transaction_and_status_counts_the_pods()
    {
        using var directory = new TestDirectory("tour");
        var log = new StringWriter();
        var clock = Stopwatch.StartNew();
        DemoResult result;
        try
        {
            result = await new DemoRun(directory.FullPath, log).RunAsync(sandbox.Cluster, new ShopApp(sandbox.Cluster, "tour"), CancellationToken.None);
        }
        finally
        {
            output.WriteLine(log.ToString());
            output.WriteLine($"tour took {clock.Elapsed.TotalSeconds:0} s");
        }

        // Every transaction of every app pod is accounted for, and none failed.
        Assert.True(result.Failed == 0, $"{result.Failed} app transactions failed:\n{string.Join('\n', result.Failures.Take(20))}");
        Assert.True(result.Committed > 1_000, $"only {result.Committed} transactions committed");
        Assert.True(result.Pods.Count >= 6, $"the ledger heard from {result.Pods.Count} pods");

        // The pool size change and the rotation were reloads in place; the restart-only change was a new version
        // whose predecessor drained and retired.
        Assert.True(result.ReloadedInPlace, "a reload replaced pods");
        Assert.NotEqual(result.FirstVersion, result.SecondVersion);
        Assert.Equal("Retired", result.FirstVersionState);

        // What the pool reports is what runs: 2 pods, all on the new version, in status and in kubectl get pools.
        Assert.Equal(new Dictionary<string, int> { [result.SecondVersion] = 2 }, result.PodsPerVersion);
        Assert.Equal(result.PodsPerVersion, result.StatusPodsPerVersion);
        Assert.Contains($"{result.SecondVersion}:2", result.GetPools, StringComparison.Ordinal);

        // Server connections PostgreSQL saw never exceeded what the pool's status said its pods could open.
        output.WriteLine($"server connections: peak {result.PeakServerConnections}, status at most {result.PeakStatusTotal}, budget {result.Budget}");
        Assert.InRange(result.PeakServerConnections, 1, result.PeakStatusTotal);
        Assert.True(new FileInfo(result.PlotPath).Length > 10_000, "the plot was not written");
    }
}
