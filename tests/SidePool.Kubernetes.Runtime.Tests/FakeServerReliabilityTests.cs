using System.Globalization;
using SidePool.Kubernetes.Client;
using SidePool.Kubernetes.Errors;
using SidePool.Kubernetes.FakeServer;
using SidePool.Kubernetes.Runtime.Informers;
using SidePool.Kubernetes.Runtime.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace SidePool.Kubernetes.Runtime.Tests;

/// <summary>Reliability against the fake API server with injected faults.</summary>
public sealed class FakeServerReliabilityTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Informer_survives_closed_streams_a_410_and_repeated_500s_and_ends_with_exactly_the_servers_objects()
    {
        await using var cluster = await FakeCluster.StartAsync(new FakeApiServerOptions { BookmarkInterval = TimeSpan.FromMilliseconds(200) });
        var maps = cluster.Client.Resource(KubernetesResources.ConfigMaps);
        var faults = cluster.Server.Faults;
        var random = new Random(42);
        var names = new List<string>();
        var created = 0;

        async Task MutateAsync(int count)
        {
            for (var i = 0; i < count; i++)
            {
                var choice = names.Count < 5 ? 0 : random.Next(3);
                if (choice == 0)
                {
                    var name = $"cm-{created++}";
                    await FakeCluster.RetryAsync(() => maps.CreateAsync(new ConfigMap { Metadata = new ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["batch"] = (created % 3).ToString(CultureInfo.InvariantCulture) } }, Data = new Dictionary<string, string> { ["v"] = "0" } }));
                    names.Add(name);
                }
                else if (choice == 1)
                {
                    var name = names[random.Next(names.Count)];
                    var current = await FakeCluster.RetryAsync(() => maps.GetAsync(name));
                    await FakeCluster.RetryAsync(() => maps.ReplaceAsync(current with { Data = new Dictionary<string, string> { ["v"] = i.ToString(CultureInfo.InvariantCulture) } }));
                }
                else
                {
                    var name = names[random.Next(names.Count)];
                    names.Remove(name);
                    await FakeCluster.RetryAsync(async () => { await maps.DeleteAsync(name); return true; });
                }
            }
        }

        await MutateAsync(30);
        var informer = new Informer<ConfigMap>(maps, new InformerOptions { Namespace = "default", InitialBackoff = TimeSpan.FromMilliseconds(50), MaxBackoff = TimeSpan.FromMilliseconds(400) });
        var ledger = new EventLedger<ConfigMap>();
        informer.AddHandler(ledger);
        using var stop = new CancellationTokenSource();
        var run = informer.RunAsync(stop.Token);
        await informer.WaitForSyncAsync(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token);

        // Closed streams: every watch ends after 5 events, and all open ones are dropped.
        faults.DropWatchesAfter(5);
        await MutateAsync(60);
        faults.DropAllWatches();
        await MutateAsync(20);
        faults.Clear();
        output.WriteLine($"after closed streams: {informer.Statistics}");

        // Repeated 500s on the watch.
        faults.FailNext(500, 6, "watch");
        faults.DropAllWatches();
        await MutateAsync(40);

        output.WriteLine($"after 500s: {informer.Statistics}");

        // Missed history: the informer is kept away by 500s while the server moves on and compacts, so its next watch
        // gets a 410 ERROR event in the stream; the relist then meets 500s too.
        faults.FailNext(500, 4, "watch");
        faults.DropAllWatches();
        await MutateAsync(25);
        cluster.Server.Compact();
        faults.FailNext(500, 3, "list");
        await MutateAsync(10);

        var relisted = await Eventually.HoldsAsync(() => informer.Statistics.Lists >= 2, TimeSpan.FromSeconds(15));
        var server = (await FakeCluster.RetryAsync(() => maps.ListAsync("default"))).Items.ToDictionary(ObjectKey.Of, m => m.Metadata!.ResourceVersion);
        var converged = await Eventually.HoldsAsync(() => Same(server, informer.Cache.List().ToDictionary(ObjectKey.Of, m => m.Metadata!.ResourceVersion)), TimeSpan.FromSeconds(15));
        await stop.CancelAsync();
        await run;

        output.WriteLine($"informer: {informer.Statistics}; ledger adds={ledger.Adds} updates={ledger.Updates} deletes={ledger.Deletes}; server objects={server.Count}; injected errors={faults.InjectedErrors}, dropped watches={faults.DroppedWatches}");
        Assert.True(relisted, informer.Statistics.ToString());
        Assert.True(converged, $"cache {informer.Cache.Count} objects vs server {server.Count}; {informer.Statistics}");
        Assert.Equal(0, ledger.Violations);
        Assert.True(Same(server, ledger.Snapshot()), "the events alone do not rebuild the server state");
        Assert.True(informer.Statistics.Expired >= 1, informer.Statistics.ToString());
        Assert.True(informer.Statistics.Errors >= 13, informer.Statistics.ToString());
        Assert.True(informer.Statistics.Lists >= 2, informer.Statistics.ToString());
        Assert.True(faults.DroppedWatches > 0);
    }

    [Fact]
    public async Task A_thousand_read_modify_write_increments_under_30_percent_faults_lose_nothing()
    {
        await using var cluster = await FakeCluster.StartAsync();
        var maps = cluster.Client.Resource(KubernetesResources.ConfigMaps);
        await maps.CreateAsync(new ConfigMap { Metadata = new ObjectMeta { Name = "counter" }, Data = new Dictionary<string, string> { ["n"] = "0" } });
        cluster.Server.Faults.SetErrorRate(0.3, 409, 500);
        long conflicts = 0, serverErrors = 0, attempts = 0;
        const int workers = 5, perWorker = 200;

        var tasks = Enumerable.Range(0, workers).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < perWorker; i++)
            {
                while (true)
                {
                    Interlocked.Increment(ref attempts);
                    try
                    {
                        var current = await maps.GetAsync("counter");
                        var n = int.Parse(current.Data!["n"], CultureInfo.InvariantCulture);
                        await maps.ReplaceAsync(current with { Data = new Dictionary<string, string> { ["n"] = (n + 1).ToString(CultureInfo.InvariantCulture) } });
                        break;
                    }
                    catch (KubernetesConflictException)
                    {
                        Interlocked.Increment(ref conflicts);
                    }
                    catch (KubernetesServerErrorException)
                    {
                        Interlocked.Increment(ref serverErrors);
                    }
                }
            }
        })).ToArray();
        await Task.WhenAll(tasks);
        cluster.Server.Faults.Clear();

        var final = await maps.GetAsync("counter");
        output.WriteLine($"updates={workers * perWorker} attempts={attempts} conflicts(409, injected+real)={conflicts} server errors(500)={serverErrors} injected faults={cluster.Server.Faults.InjectedErrors} final={final.Data!["n"]}");
        Assert.Equal((workers * perWorker).ToString(CultureInfo.InvariantCulture), final.Data!["n"]);
        Assert.True(cluster.Server.Faults.InjectedErrors > 300, $"only {cluster.Server.Faults.InjectedErrors} faults injected");
    }

    [Fact]
    public async Task Bookmarks_move_a_quiet_informer_forward_so_compaction_elsewhere_needs_no_relist()
    {
        await using var cluster = await FakeCluster.StartAsync(new FakeApiServerOptions { BookmarkInterval = TimeSpan.FromMilliseconds(100) });
        var maps = cluster.Client.Resource(KubernetesResources.ConfigMaps);
        await maps.CreateAsync(new ConfigMap { Metadata = new ObjectMeta { Name = "quiet", NamespaceProperty = "kube-public" } });
        var informer = new Informer<ConfigMap>(maps, new InformerOptions { Namespace = "kube-public", InitialBackoff = TimeSpan.FromMilliseconds(50) });
        using var stop = new CancellationTokenSource();
        var run = informer.RunAsync(stop.Token);
        await informer.WaitForSyncAsync(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token);
        var listed = informer.LastResourceVersion;

        for (var i = 0; i < 20; i++)
        {
            await maps.CreateAsync(new ConfigMap { Metadata = new ObjectMeta { Name = $"busy-{i}" } });
        }

        var target = cluster.Server.CurrentResourceVersion.ToString(CultureInfo.InvariantCulture);
        var caughtUp = await Eventually.HoldsAsync(() => informer.LastResourceVersion == target, TimeSpan.FromSeconds(5));
        cluster.Server.Compact();
        cluster.Server.Faults.DropAllWatches();
        Assert.True(await Eventually.HoldsAsync(() => informer.Statistics.Watches >= 2, TimeSpan.FromSeconds(5)));
        await Task.Delay(300);
        await stop.CancelAsync();
        await run;

        output.WriteLine($"quiet informer: listed at {listed}, bookmark moved it to {informer.LastResourceVersion}; {informer.Statistics}");
        Assert.True(caughtUp, $"last resourceVersion {informer.LastResourceVersion}, server {target}");
        Assert.True(informer.Statistics.Bookmarks > 0);
        Assert.Equal(0, informer.Statistics.Expired);
        Assert.Equal(1, informer.Statistics.Lists);
        Assert.Equal(1, informer.Cache.Count);
    }

    private static bool Same<TActual>(IReadOnlyDictionary<ObjectKey, string> expected, IReadOnlyDictionary<ObjectKey, TActual> actual) =>
        expected.Count == actual.Count && expected.All(p => actual.TryGetValue(p.Key, out var rv) && Equals(rv, p.Value));
}
