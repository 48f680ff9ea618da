using System.Diagnostics;
using System.Net;
using SidePool.Kubernetes.FakeServer.Tests.Support;

namespace SidePool.Kubernetes.FakeServer.Tests;

public sealed class FaultInjectionTests
{
    [Fact]
    public async Task FailNext_fails_only_matching_requests_the_given_number_of_times()
    {
        await using var server = await FakeApiServer.StartAsync();
        using var api = new ApiClient(server);
        await api.CreateAsync(Objects.ConfigMaps, Objects.ConfigMap("f"));
        server.Faults.FailNext(500, 2, verb: "get", resource: "configmaps");

        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync(Objects.ConfigMaps)).Status);
        var first = await api.GetAsync(Objects.ConfigMaps + "/f");
        Assert.Equal(HttpStatusCode.InternalServerError, first.Status);
        Assert.Equal("InternalError", first.Reason);
        Assert.Equal(HttpStatusCode.InternalServerError, (await api.GetAsync(Objects.ConfigMaps + "/f")).Status);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync(Objects.ConfigMaps + "/f")).Status);
        Assert.Equal(2, server.Faults.InjectedErrors);

        server.Faults.FailNext(409, 1, verb: "update");
        var created = (await api.GetAsync(Objects.ConfigMaps + "/f")).Body;
        var conflict = await api.PutAsync(Objects.ConfigMaps + "/f", created);
        Assert.Equal(HttpStatusCode.Conflict, conflict.Status);
        Assert.Equal("Conflict", conflict.Reason);
        Assert.Equal(HttpStatusCode.OK, (await api.PutAsync(Objects.ConfigMaps + "/f", created)).Status);
    }

    [Fact]
    public async Task Forbid_answers_the_api_servers_rbac_denial_for_its_verbs_until_Allow()
    {
        await using var server = await FakeApiServer.StartAsync();
        using var api = new ApiClient(server);
        server.Faults.Forbid("secrets", ["list", "watch"], user: "system:serviceaccount:x:y");
        server.Faults.Forbid("deployments", ["watch"], user: "system:serviceaccount:x:y", @namespace: "shop");

        var list = await api.GetAsync("/api/v1/secrets");
        Assert.Equal(HttpStatusCode.Forbidden, list.Status);
        Assert.Equal("Forbidden", list.Reason);
        Assert.Equal("Status", list.Body["kind"]!.GetValue<string>());
        Assert.Equal(403, list.Body["code"]!.GetValue<int>());
        Assert.Equal("secrets is forbidden: User \"system:serviceaccount:x:y\" cannot list resource \"secrets\" in API group \"\" at the cluster scope", list.Body["message"]!.GetValue<string>());
        Assert.Equal("secrets", list.Body["details"]!["kind"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Forbidden, (await api.GetAsync("/api/v1/namespaces/default/secrets?watch=true")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync("/api/v1/namespaces/default/secrets/absent")).Status); // get is allowed

        var watch = await api.GetAsync("/apis/apps/v1/namespaces/shop/deployments?watch=true");
        Assert.Equal(HttpStatusCode.Forbidden, watch.Status);
        Assert.Equal("deployments.apps is forbidden: User \"system:serviceaccount:x:y\" cannot watch resource \"deployments\" in API group \"apps\" in the namespace \"shop\"", watch.Body["message"]!.GetValue<string>());
        Assert.Equal("apps", watch.Body["details"]!["group"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/apis/apps/v1/namespaces/shop/deployments")).Status);
        Assert.Equal(3, server.Faults.ForbiddenRequests);

        server.Faults.Allow("secrets");
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/v1/secrets")).Status);
        server.Faults.Clear();
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/apis/apps/v1/namespaces/shop/deployments?watch=true&timeoutSeconds=1")).Status);
    }

    [Fact]
    public async Task Error_rate_429_carries_Retry_After_and_Clear_stops_it()
    {
        await using var server = await FakeApiServer.StartAsync();
        using var api = new ApiClient(server);
        server.Faults.RetryAfterSeconds = 2;
        server.Faults.SetErrorRate(1.0, 429);

        var throttled = await api.GetAsync(Objects.ConfigMaps);
        Assert.Equal(HttpStatusCode.TooManyRequests, throttled.Status);
        Assert.Equal("TooManyRequests", throttled.Reason);
        Assert.Equal(TimeSpan.FromSeconds(2), throttled.Headers.RetryAfter!.Delta);
        Assert.Equal(2, throttled.Body["details"]!["retryAfterSeconds"]!.GetValue<int>());
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/v1")).Status);

        server.Faults.Clear();
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync(Objects.ConfigMaps)).Status);
    }

    [Fact]
    public async Task Delay_slows_resource_requests()
    {
        await using var server = await FakeApiServer.StartAsync();
        using var api = new ApiClient(server);
        server.Faults.Delay(TimeSpan.FromMilliseconds(300));
        var stopwatch = Stopwatch.StartNew();
        await api.GetAsync(Objects.ConfigMaps);
        Assert.True(stopwatch.Elapsed >= TimeSpan.FromMilliseconds(280), $"took {stopwatch.Elapsed}");
        Assert.Equal(1, server.Faults.DelayedRequests);
    }

    [Fact]
    public async Task Watches_can_be_dropped_after_n_events_or_all_at_once()
    {
        await using var server = await FakeApiServer.StartAsync();
        using var api = new ApiClient(server);
        server.Faults.DropWatchesAfter(1);
        using (var watch = await api.WatchAsync($"{Objects.ConfigMaps}?watch=true&resourceVersion={server.CurrentResourceVersion}"))
        {
            await api.CreateAsync(Objects.ConfigMaps, Objects.ConfigMap("d1"));
            await api.CreateAsync(Objects.ConfigMaps, Objects.ConfigMap("d2"));
            Assert.Equal("d1", (await watch.NextAsync())!["object"]!["metadata"]!["name"]!.GetValue<string>());
            Assert.Null(await watch.NextAsync());
        }

        server.Faults.Clear();
        using var open = await api.WatchAsync($"{Objects.ConfigMaps}?watch=true&resourceVersion={server.CurrentResourceVersion}");
        await api.CreateAsync(Objects.ConfigMaps, Objects.ConfigMap("d3"));
        Assert.Equal("d3", (await open.NextAsync())!["object"]!["metadata"]!["name"]!.GetValue<string>());
        server.Faults.DropAllWatches();
        Assert.Null(await open.NextAsync());
        await Objects.EventuallyAsync(() => Task.FromResult(server.Faults.DroppedWatches), n => n == 2, "both drops to be counted");
    }
}
