using System.Globalization;
using System.Text.Json.Nodes;
using SidePool.Kubernetes.FakeServer.Tests.Support;

namespace SidePool.Kubernetes.FakeServer.Tests;

public sealed class WatchTests
{
    [Fact]
    public async Task Watch_from_a_resourceVersion_replays_later_events_then_streams_live_ones()
    {
        await using var server = await FakeApiServer.StartAsync();
        using var api = new ApiClient(server);
        var list = await api.GetAsync(Objects.ConfigMaps);
        await api.CreateAsync(Objects.ConfigMaps, Objects.ConfigMap("before-watch"));

        using var watch = await api.WatchAsync($"{Objects.ConfigMaps}?watch=true&resourceVersion={list.ResourceVersion}");
        Assert.Equal("application/json", watch.ContentType);
        var replayed = await watch.NextAsync();
        Assert.Equal("ADDED", replayed!["type"]!.GetValue<string>());
        Assert.Equal("before-watch", replayed["object"]!["metadata"]!["name"]!.GetValue<string>());
        Assert.Equal("ConfigMap", replayed["object"]!["kind"]!.GetValue<string>());

        await api.PatchAsync(Objects.ConfigMaps + "/before-watch", "application/merge-patch+json", """{"data":{"k":"v"}}""");
        var modified = await watch.NextAsync();
        Assert.Equal("MODIFIED", modified!["type"]!.GetValue<string>());
        Assert.Equal("v", modified["object"]!["data"]!["k"]!.GetValue<string>());

        await api.DeleteAsync(Objects.ConfigMaps + "/before-watch");
        var deleted = await watch.NextAsync();
        Assert.Equal("DELETED", deleted!["type"]!.GetValue<string>());
        Assert.True(long.Parse(deleted["object"]!["metadata"]!["resourceVersion"]!.GetValue<string>(), CultureInfo.InvariantCulture)
            > long.Parse(modified["object"]!["metadata"]!["resourceVersion"]!.GetValue<string>(), CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Bookmarks_arrive_periodically_and_carry_only_kind_apiVersion_and_resourceVersion()
    {
        await using var server = await FakeApiServer.StartAsync(new FakeApiServerOptions { BookmarkInterval = TimeSpan.FromMilliseconds(200) });
        using var api = new ApiClient(server);
        await api.CreateAsync(Objects.ConfigMaps, Objects.ConfigMap("b"));
        var rv = server.CurrentResourceVersion;

        using var watch = await api.WatchAsync($"{Objects.ConfigMaps}?watch=true&allowWatchBookmarks=true&resourceVersion={rv}");
        await api.CreateAsync("/api/v1/namespaces/kube-system/configmaps", Objects.ConfigMap("elsewhere"));
        var bookmark = await watch.NextAsync(TimeSpan.FromSeconds(5));
        Assert.Equal("BOOKMARK", bookmark!["type"]!.GetValue<string>());
        var obj = bookmark["object"]!.AsObject();
        Assert.Equal(["kind", "apiVersion", "metadata"], obj.Select(p => p.Key));
        Assert.Equal(["resourceVersion"], obj["metadata"]!.AsObject().Select(p => p.Key));
        Assert.Equal(server.CurrentResourceVersion.ToString(CultureInfo.InvariantCulture), obj["metadata"]!["resourceVersion"]!.GetValue<string>());
        Assert.Equal("BOOKMARK", (await watch.NextAsync(TimeSpan.FromSeconds(5)))!["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task SendInitialEvents_sends_the_state_then_an_initial_events_end_bookmark_like_the_real_server()
    {
        await using var server = await FakeApiServer.StartAsync();
        using var api = new ApiClient(server);
        await api.CreateAsync("/api/v1/namespaces/default/serviceaccounts", new JsonObject { ["metadata"] = new JsonObject { ["name"] = "foobar" } });

        using var watch = await api.WatchAsync("/api/v1/namespaces/default/serviceaccounts?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true");
        var added = await watch.NextAsync();
        Assert.Equal("ADDED", added!["type"]!.GetValue<string>());
        Assert.Equal(["kind", "apiVersion", "metadata"], added["object"]!.AsObject().Select(p => p.Key));
        Assert.Equal(["name", "namespace", "uid", "resourceVersion", "creationTimestamp"], added["object"]!["metadata"]!.AsObject().Select(p => p.Key));
        var end = await watch.NextAsync();
        Assert.Equal("BOOKMARK", end!["type"]!.GetValue<string>());
        Assert.Equal("true", end["object"]!["metadata"]!["annotations"]!["k8s.io/initial-events-end"]!.GetValue<string>());
        Assert.Equal("ServiceAccount", end["object"]!["kind"]!.GetValue<string>());
    }

    [Fact]
    public async Task TimeoutSeconds_ends_the_stream()
    {
        await using var server = await FakeApiServer.StartAsync();
        using var api = new ApiClient(server);
        var started = DateTime.UtcNow;
        using var watch = await api.WatchAsync($"{Objects.ConfigMaps}?watch=true&timeoutSeconds=1&resourceVersion={server.CurrentResourceVersion}");
        Assert.Null(await watch.NextAsync(TimeSpan.FromSeconds(5)));
        Assert.InRange(DateTime.UtcNow - started, TimeSpan.FromMilliseconds(900), TimeSpan.FromSeconds(4));
    }

    [Fact]
    public async Task Watch_from_a_compacted_resourceVersion_gets_an_in_stream_410_Expired_error()
    {
        await using var server = await FakeApiServer.StartAsync();
        using var api = new ApiClient(server);
        var old = server.CurrentResourceVersion;
        await api.CreateAsync(Objects.ConfigMaps, Objects.ConfigMap("x"));
        server.Compact();

        using var watch = await api.WatchAsync($"{Objects.ConfigMaps}?watch=true&resourceVersion={old}");
        var error = await watch.NextAsync();
        Assert.Equal("ERROR", error!["type"]!.GetValue<string>());
        var status = error["object"]!;
        Assert.Equal("Status", status["kind"]!.GetValue<string>());
        Assert.Equal(410, status["code"]!.GetValue<int>());
        Assert.Equal("Expired", status["reason"]!.GetValue<string>());
        Assert.Null(await watch.NextAsync());

        using var current = await api.WatchAsync($"{Objects.ConfigMaps}?watch=true&resourceVersion={server.CurrentResourceVersion}");
        await api.CreateAsync(Objects.ConfigMaps, Objects.ConfigMap("y"));
        Assert.Equal("ADDED", (await current.NextAsync())!["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task History_limit_expires_old_resourceVersions()
    {
        await using var server = await FakeApiServer.StartAsync(new FakeApiServerOptions { WatchHistoryLimit = 3 });
        using var api = new ApiClient(server);
        var old = server.CurrentResourceVersion;
        for (var i = 0; i < 5; i++)
        {
            await api.CreateAsync(Objects.ConfigMaps, Objects.ConfigMap($"h{i}"));
        }

        using var watch = await api.WatchAsync($"{Objects.ConfigMaps}?watch=true&resourceVersion={old}");
        Assert.Equal("ERROR", (await watch.NextAsync())!["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task Selector_watch_reports_objects_leaving_the_selection_as_DELETED()
    {
        await using var server = await FakeApiServer.StartAsync();
        using var api = new ApiClient(server);
        await api.CreateAsync(Objects.ConfigMaps, Objects.ConfigMap("sel", labels: new JsonObject { ["pool"] = "yes" }));
        await api.CreateAsync(Objects.ConfigMaps, Objects.ConfigMap("unlabelled"));

        using var watch = await api.WatchAsync($"{Objects.ConfigMaps}?watch=true&labelSelector=pool%3Dyes");
        var initial = await watch.NextAsync();
        Assert.Equal("sel", initial!["object"]!["metadata"]!["name"]!.GetValue<string>());
        await api.PatchAsync(Objects.ConfigMaps + "/unlabelled", "application/merge-patch+json", """{"data":{"ignored":"1"}}""");
        await api.PatchAsync(Objects.ConfigMaps + "/sel", "application/merge-patch+json", """{"metadata":{"labels":{"pool":null}}}""");
        var left = await watch.NextAsync();
        Assert.Equal("DELETED", left!["type"]!.GetValue<string>());
        Assert.Equal("sel", left["object"]!["metadata"]!["name"]!.GetValue<string>());
        await api.PatchAsync(Objects.ConfigMaps + "/unlabelled", "application/merge-patch+json", """{"metadata":{"labels":{"pool":"yes"}}}""");
        var joined = await watch.NextAsync();
        Assert.Equal("ADDED", joined!["type"]!.GetValue<string>());
        Assert.Equal("unlabelled", joined["object"]!["metadata"]!["name"]!.GetValue<string>());
    }
}
