using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using SidePool.Kubernetes.Client;
using SidePool.Kubernetes.FakeServer;
using SidePool.Operator.Controller;
using SidePool.Operator.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace SidePool.Operator.Tests;

/// <summary>500 pools and 5,000 pods in the fake API server: time from a spec change of every pool to every workload stamped.</summary>
public sealed class ScaleTests(ITestOutputHelper output)
{
    private const int Namespaces = 50;
    private const int PoolsPerNamespace = 10;
    private const int PodsPerPool = 10;

    [Fact]
    public async Task FiveHundredPoolsAndFiveThousandPodsAreAllStampedAfterASpecChange()
    {
        await using var h = await OperatorHarness.StartAsync(
            new PoolControllerOptions { SidecarMode = "native", RecheckInterval = TimeSpan.FromMinutes(5), Workers = 4, Identity = "scale" },
            startController: false,
            new FakeApiServerOptions { WatchHistoryLimit = 50_000 });
        var pools = Enumerable.Range(0, Namespaces).SelectMany(n => Enumerable.Range(0, PoolsPerNamespace).Select(p => ($"ns-{n}", $"pool-{p}"))).ToList();
        var total = Stopwatch.StartNew();

        await Parallel.ForEachAsync(Enumerable.Range(0, Namespaces), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (n, _) => await h.CreateNamespaceAsync($"ns-{n}"));
        await Parallel.ForEachAsync(pools, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (p, _) =>
        {
            await h.CreateCredentialsAsync(p.Item1, p.Item2 + "-creds", "app", "pw");
            await h.Pools.CreateAsync(OperatorHarness.Pool(p.Item1, p.Item2, "app-" + p.Item2), cancellationToken: CancellationToken.None);
        });

        GC.Collect();
        GC.WaitForPendingFinalizers();
        var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        var watch = Stopwatch.StartNew();
        h.StartController();
        var versions = await WaitAllAsync(h, p => p.Status?.CurrentVersion is not null, TimeSpan.FromSeconds(120));
        var firstVersions = watch.Elapsed;

        await Parallel.ForEachAsync(pools, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (p, _) =>
        {
            var (_, rs) = await h.CreateDeploymentAsync(p.Item1, "web-" + p.Item2, "app-" + p.Item2);
            for (var i = 0; i < PodsPerPool; i++)
            {
                await h.CreatePodAsync(p.Item1, $"web-{p.Item2}-{i}", "app-" + p.Item2, rs, p.Item2, versions[p], withStatus: false);
            }
        });
        await WaitAllAsync(h, p => p.Status?.Targets?.Injected == PodsPerPool, TimeSpan.FromSeconds(120));
        var podsCreated = total.Elapsed;

        GC.Collect();
        GC.WaitForPendingFinalizers();
        var heapSynced = GC.GetTotalMemory(forceFullCollection: true);

        // Spec change of every pool → every Deployment stamped.
        var change = Stopwatch.StartNew();
        await Parallel.ForEachAsync(pools, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (p, _) =>
            await h.PatchPoolAsync(p.Item1, p.Item2, new JsonObject { ["sidecar"] = new JsonObject { ["port"] = 7432 } }));
        var patched = change.Elapsed;
        var deployments = h.Client.Resource(KubernetesResources.Deployments);
        var stamped = 0;
        while (change.Elapsed < TimeSpan.FromSeconds(150))
        {
            stamped = 0;
            await foreach (var d in deployments.ListAllAsync(null))
            {
                var pool = d.Metadata!.Name!["web-".Length..];
                if (d.Spec!.Template.Metadata?.Annotations?.GetValueOrDefault("sidepool.dev/version-" + pool) is { } v && v != versions[(d.Metadata.NamespaceProperty!, pool)])
                {
                    stamped++;
                }
            }

            if (stamped == pools.Count)
            {
                break;
            }

            await Task.Delay(200);
        }

        var allStamped = change.Elapsed;
        GC.Collect();
        var heapAfter = GC.GetTotalMemory(forceFullCollection: true);
        using var process = Process.GetCurrentProcess();
        var workingSet = process.WorkingSet64;
        var reconciles = (h.Controller!.Statistics!.Reconciles, h.Controller.Statistics.Conflicts, h.Controller.Statistics.Failures);

        // The operator's share: what the heap loses when the controller (caches, queue) is gone.
        await h.StopControllerAsync();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var heapWithout = GC.GetTotalMemory(forceFullCollection: true);
        var report = string.Create(CultureInfo.InvariantCulture, $"""
            scale: {pools.Count} pools, {pools.Count * PodsPerPool} pods, {pools.Count} Deployments in {Namespaces} namespaces (fake API server in-process)
              setup (objects created through the API): {podsCreated.TotalSeconds:0.0} s
              first versions for all pools after controller start: {firstVersions.TotalSeconds:0.00} s
              spec change of every pool (500 merge patches): {patched.TotalSeconds:0.00} s
              spec change start -> all {stamped} Deployments stamped: {allStamped.TotalSeconds:0.00} s
              reconciles: {reconciles.Reconciles}, conflicts (retried): {reconciles.Conflicts}, failures: {reconciles.Failures}
              managed heap: before controller {heapBefore / 1048576.0:0.0} MiB, caches synced {heapSynced / 1048576.0:0.0} MiB, after rollout {heapAfter / 1048576.0:0.0} MiB (these include the fake server's store and watch history)
              operator's share of the heap (after rollout minus after stopping the controller): {(heapAfter - heapWithout) / 1048576.0:0.0} MiB
              test process working set (operator + fake server + test): {workingSet / 1048576.0:0.0} MiB, peak {process.PeakWorkingSet64 / 1048576.0:0.0} MiB
            """);
        output.WriteLine(report);
        await File.WriteAllTextAsync(Path.Combine(Path.GetTempPath(), "sidepool-operator-scale.txt"), report);
        Assert.Equal(pools.Count, stamped);
        Assert.True(allStamped < TimeSpan.FromSeconds(120), report);
    }

    private static async Task<ConcurrentDictionary<(string, string), string>> WaitAllAsync(OperatorHarness h, Func<Api.ConnectionPool, bool> done, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var versions = new ConcurrentDictionary<(string, string), string>();
            var all = true;
            await foreach (var pool in h.Pools.ListAllAsync(null, new ListOptions()))
            {
                if (!done(pool))
                {
                    all = false;
                }

                versions[(pool.Metadata.NamespaceProperty!, pool.Metadata.Name!)] = pool.Status?.CurrentVersion ?? "";
            }

            if (all && versions.Count == Namespaces * PoolsPerNamespace)
            {
                return versions;
            }

            Assert.True(DateTime.UtcNow < deadline, "pools did not all reach the expected state in time");
            await Task.Delay(200);
        }
    }
}
