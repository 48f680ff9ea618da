using System.Net;
using SidePool.Kubernetes.Client;
using SidePool.Kubernetes.Errors;
using SidePool.Kubernetes.Runtime.Informers;
using SidePool.Kubernetes.Runtime.Tests.Support;
using Xunit;

namespace SidePool.Kubernetes.Runtime.Tests;

/// <summary>The reflector protocol against a scripted client.</summary>
public sealed class InformerTests
{
    private static readonly ApiResource ConfigMaps = KubernetesResources.ConfigMaps.Resource;

    private static readonly InformerOptions Fast = new() { InitialBackoff = TimeSpan.FromMilliseconds(5), MaxBackoff = TimeSpan.FromMilliseconds(50) };

    private static ConfigMap Map(string name, string rv, string? label = null) => new()
    {
        Metadata = new ObjectMeta { Name = name, NamespaceProperty = "ns", ResourceVersion = rv, Labels = label is null ? null : new Dictionary<string, string> { ["tier"] = label } },
    };

    private static ListPage<ConfigMap> List(string rv, params ConfigMap[] items) => new() { Metadata = new ListMeta { ResourceVersion = rv }, Items = items };

    private static WatchEvent<ConfigMap> Event(WatchEventType type, ConfigMap value) => new() { Type = type, Object = value, ResourceVersion = value.Metadata!.ResourceVersion };

    private static WatchEvent<ConfigMap> Bookmark(string rv) => new() { Type = WatchEventType.Bookmark, Object = new ConfigMap { Metadata = new ObjectMeta { ResourceVersion = rv } }, ResourceVersion = rv };

    private static WatchEvent<ConfigMap> Expired() => new() { Type = WatchEventType.Error, Status = new Status { Code = 410, Reason = "Expired", Message = "too old resource version" } };

    private static async Task<(Informer<ConfigMap> Informer, EventLedger<ConfigMap> Ledger, CancellationTokenSource Stop, Task Run)> StartAsync(ScriptedResourceClient<ConfigMap> client, InformerOptions? options = null)
    {
        var informer = new Informer<ConfigMap>(client, options ?? Fast);
        var ledger = new EventLedger<ConfigMap>();
        informer.AddHandler(ledger);
        var stop = new CancellationTokenSource();
        var run = informer.RunAsync(stop.Token);
        await informer.WaitForSyncAsync(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token);
        return (informer, ledger, stop, run);
    }

    [Fact]
    public async Task Lists_then_watches_from_the_list_version_with_bookmarks_and_rewatches_from_the_last_bookmark()
    {
        var client = new ScriptedResourceClient<ConfigMap>(ConfigMaps);
        client.Lists.Enqueue(() => List("10", Map("a", "5"), Map("b", "6")));
        client.Watches.Enqueue(() => ScriptedResourceClient<ConfigMap>.Stream(Event(WatchEventType.Added, Map("c", "11")), Bookmark("15")));
        var (informer, ledger, stop, run) = await StartAsync(client, Fast with { Namespace = "ns", LabelSelector = "app=x" });
        Assert.True(await Eventually.HoldsAsync(() => client.WatchCalls.Count >= 2, TimeSpan.FromSeconds(5)));
        await stop.CancelAsync();
        await run;

        var list = Assert.Single(client.ListCalls);
        Assert.Equal(500, list.Limit);
        Assert.Equal("app=x", list.LabelSelector);
        var watches = client.WatchCalls.ToArray();
        Assert.Equal("10", watches[0].ResourceVersion);
        Assert.True(watches[0].AllowWatchBookmarks);
        Assert.InRange(watches[0].TimeoutSeconds!.Value, 300, 600);
        Assert.Equal("15", watches[1].ResourceVersion);
        Assert.Equal("15", informer.LastResourceVersion);
        Assert.Equal(["a", "b", "c"], informer.Cache.List().Select(m => m.Metadata!.Name!).Order().ToArray());
        Assert.Equal(1, informer.Statistics.Bookmarks);
        Assert.Equal(3, ledger.Adds);
        Assert.Equal(0, ledger.Violations);
    }

    [Fact]
    public async Task In_stream_410_relists_and_emits_only_the_differences()
    {
        var client = new ScriptedResourceClient<ConfigMap>(ConfigMaps);
        client.Lists.Enqueue(() => List("10", Map("a", "5"), Map("b", "6"), Map("c", "7")));
        client.Watches.Enqueue(() => ScriptedResourceClient<ConfigMap>.Stream(Event(WatchEventType.Modified, Map("a", "11")), Expired()));
        client.Lists.Enqueue(() => List("25", Map("a", "11"), Map("b", "20"), Map("d", "21")));
        var (informer, ledger, stop, run) = await StartAsync(client);
        Assert.True(await Eventually.HoldsAsync(() => client.WatchCalls.Count >= 2, TimeSpan.FromSeconds(5)));
        await stop.CancelAsync();
        await run;

        Assert.Equal(["add ns/a", "add ns/b", "add ns/c", "update ns/a", "update ns/b", "add ns/d", "delete ns/c"], ledger.Log.ToArray());
        Assert.Equal(0, ledger.Violations);
        Assert.Equal(1, informer.Statistics.Expired);
        Assert.Equal(2, informer.Statistics.Lists);
        Assert.Equal("25", client.WatchCalls.ToArray()[1].ResourceVersion);
        Assert.Equal(["a", "b", "d"], informer.Cache.List().Select(m => m.Metadata!.Name!).Order().ToArray());
        Assert.Equal("20", informer.Cache.Get("ns", "b")!.Metadata!.ResourceVersion);
    }

    [Fact]
    public async Task A_410_answer_to_the_watch_request_relists()
    {
        var client = new ScriptedResourceClient<ConfigMap>(ConfigMaps);
        client.Lists.Enqueue(() => List("10", Map("a", "5")));
        client.Watches.Enqueue(() => ScriptedResourceClient<ConfigMap>.StreamThenThrow(new KubernetesExpiredException("GET: 410 Gone", null)));
        client.Lists.Enqueue(() => List("30"));
        var (informer, ledger, stop, run) = await StartAsync(client);
        Assert.True(await Eventually.HoldsAsync(() => client.WatchCalls.Count >= 2, TimeSpan.FromSeconds(5)));
        await stop.CancelAsync();
        await run;
        Assert.Equal(2, informer.Statistics.Lists);
        Assert.Equal(0, informer.Cache.Count);
        Assert.Equal(1, ledger.Deletes);
        Assert.Equal("30", client.WatchCalls.ToArray()[1].ResourceVersion);
    }

    [Fact]
    public async Task Other_errors_back_off_and_rewatch_from_the_same_version_without_relisting()
    {
        var client = new ScriptedResourceClient<ConfigMap>(ConfigMaps);
        client.Lists.Enqueue(() => throw new KubernetesServerErrorException("list: 500", HttpStatusCode.InternalServerError, null));
        client.Lists.Enqueue(() => List("10", Map("a", "5")));
        for (var i = 0; i < 3; i++)
        {
            client.Watches.Enqueue(() => ScriptedResourceClient<ConfigMap>.StreamThenThrow(new KubernetesServerErrorException("watch: 500", HttpStatusCode.InternalServerError, null)));
        }

        client.Watches.Enqueue(() => ScriptedResourceClient<ConfigMap>.Stream(Event(WatchEventType.Deleted, Map("a", "12"))));
        var (informer, ledger, stop, run) = await StartAsync(client);
        Assert.True(await Eventually.HoldsAsync(() => client.WatchCalls.Count >= 5, TimeSpan.FromSeconds(5)));
        await stop.CancelAsync();
        await run;
        Assert.Equal(4, informer.Statistics.Errors);
        Assert.Equal(1, informer.Statistics.Lists);
        Assert.All(client.WatchCalls.Take(4), w => Assert.Equal("10", w.ResourceVersion));
        Assert.Equal("12", client.WatchCalls.ToArray()[4].ResourceVersion);
        Assert.Equal(0, informer.Cache.Count);
        Assert.Equal(0, ledger.Violations);
    }

    [Fact]
    public async Task A_non_410_error_event_backs_off()
    {
        var client = new ScriptedResourceClient<ConfigMap>(ConfigMaps);
        client.Lists.Enqueue(() => List("10"));
        client.Watches.Enqueue(() => ScriptedResourceClient<ConfigMap>.Stream(new WatchEvent<ConfigMap> { Type = WatchEventType.Error, Status = new Status { Code = 500, Reason = "InternalError" } }));
        var (informer, _, stop, run) = await StartAsync(client);
        Assert.True(await Eventually.HoldsAsync(() => client.WatchCalls.Count >= 2, TimeSpan.FromSeconds(5)));
        await stop.CancelAsync();
        await run;
        Assert.Equal(1, informer.Statistics.Errors);
        Assert.Equal(0, informer.Statistics.Expired);
        Assert.Equal(1, informer.Statistics.Lists);
    }

    [Fact]
    public async Task A_handler_added_late_gets_the_cached_objects_and_a_throwing_handler_does_not_stop_others()
    {
        var client = new ScriptedResourceClient<ConfigMap>(ConfigMaps);
        client.Lists.Enqueue(() => List("10", Map("a", "5")));
        var informer = new Informer<ConfigMap>(client, Fast);
        informer.AddHandler(new ResourceEventHandler<ConfigMap>(onAdd: _ => throw new InvalidOperationException("boom")));
        using var stop = new CancellationTokenSource();
        var run = informer.RunAsync(stop.Token);
        await informer.WaitForSyncAsync(CancellationToken.None);
        var late = new EventLedger<ConfigMap>();
        informer.AddHandler(late);
        await stop.CancelAsync();
        await run;
        Assert.Equal(["add ns/a"], late.Log.ToArray());
    }

    [Fact]
    public void Backoff_doubles_from_0_8_s_to_30_s()
    {
        var exact = new ExponentialBackoff(TimeSpan.FromMilliseconds(800), TimeSpan.FromSeconds(30), jitter: 0);
        var delays = Enumerable.Range(0, 8).Select(_ => exact.Next().TotalSeconds).ToArray();
        Assert.Equal([0.8, 1.6, 3.2, 6.4, 12.8, 25.6, 30, 30], delays);
        exact.Reset();
        Assert.Equal(0.8, exact.Next().TotalSeconds);

        var jittered = new ExponentialBackoff(TimeSpan.FromMilliseconds(800), TimeSpan.FromSeconds(30), jitter: 0.2);
        var seconds = Enumerable.Range(0, 10).Select(_ => jittered.Next().TotalSeconds).ToArray();
        Assert.InRange(seconds[0], 0.8, 0.96);
        Assert.InRange(seconds[3], 6.4, 7.68);
        Assert.All(seconds, s => Assert.InRange(s, 0.8, 30));
    }

    [Fact]
    public void Cache_indexes_by_namespace_and_label_and_follows_label_changes()
    {
        var cache = new InformerCache<ConfigMap>();
        cache.Upsert(Map("a", "1", "web"));
        cache.Upsert(Map("b", "1", "db"));
        cache.Upsert(new ConfigMap { Metadata = new ObjectMeta { Name = "c", NamespaceProperty = "other", Labels = new Dictionary<string, string> { ["tier"] = "web" } } });
        Assert.Equal(2, cache.ListByNamespace("ns").Count);
        Assert.Equal(["a", "c"], cache.ListByLabel("tier", "web").Select(m => m.Metadata!.Name!).Order().ToArray());
        cache.Upsert(Map("a", "2", "db"));
        Assert.Equal(["c"], cache.ListByLabel("tier", "web").Select(m => m.Metadata!.Name!).ToArray());
        Assert.Equal(2, cache.ListByLabel("tier", "db").Count);
        cache.Remove(new ObjectKey("ns", "b"));
        Assert.Single(cache.ListByLabel("tier", "db"));
        Assert.Empty(cache.ListByNamespace("nowhere"));
        Assert.Equal("2", cache.Get("ns", "a")!.Metadata!.ResourceVersion);
    }
}
