using System.Net;
using System.Text.Json.Nodes;
using SidePool.Kubernetes.FakeServer.Tests.Support;

namespace SidePool.Kubernetes.FakeServer.Tests;

public sealed class SelectorAndPagingTests
{
    [Theory]
    [InlineData("app=web", "a,b")]
    [InlineData("app==web", "a,b")]
    [InlineData("app!=web", "c,d")]
    [InlineData("app in (web, db)", "a,b,c")]
    [InlineData("app notin (web)", "c,d")]
    [InlineData("tier", "a,c")]
    [InlineData("!tier", "b,d")]
    [InlineData("app=web,tier=front", "a")]
    [InlineData("app in (web,db),!tier", "b")]
    public async Task Label_selectors_filter_lists(string selector, string expected)
    {
        await using var server = await FakeApiServer.StartAsync();
        using var api = new ApiClient(server);
        await api.CreateAsync(Objects.ConfigMaps, Objects.ConfigMap("a", labels: new JsonObject { ["app"] = "web", ["tier"] = "front" }));
        await api.CreateAsync(Objects.ConfigMaps, Objects.ConfigMap("b", labels: new JsonObject { ["app"] = "web" }));
        await api.CreateAsync(Objects.ConfigMaps, Objects.ConfigMap("c", labels: new JsonObject { ["app"] = "db", ["tier"] = "back" }));
        await api.CreateAsync(Objects.ConfigMaps, Objects.ConfigMap("d"));

        var list = await api.GetAsync($"{Objects.ConfigMaps}?labelSelector={Uri.EscapeDataString(selector)}");
        Assert.Equal(HttpStatusCode.OK, list.Status);
        Assert.Equal(expected, string.Join(',', list.Body["items"]!.AsArray().Select(i => i!["metadata"]!["name"]!.GetValue<string>())));
    }

    [Fact]
    public async Task Field_selectors_support_name_namespace_and_pod_fields()
    {
        await using var server = await FakeApiServer.StartAsync();
        using var api = new ApiClient(server);
        await api.CreateAsync("/api/v1/namespaces", new JsonObject { ["metadata"] = new JsonObject { ["name"] = "other" } });
        await api.CreateAsync(Objects.ConfigMaps, Objects.ConfigMap("one"));
        await api.CreateAsync(Objects.ConfigMaps, Objects.ConfigMap("two"));
        await api.CreateAsync("/api/v1/namespaces/other/configmaps", Objects.ConfigMap("one"));
        var pod = new JsonObject { ["metadata"] = new JsonObject { ["name"] = "p1" }, ["spec"] = new JsonObject { ["nodeName"] = "node-a" } };
        await api.CreateAsync("/api/v1/namespaces/default/pods", pod);
        await api.CreateAsync("/api/v1/namespaces/default/pods", new JsonObject { ["metadata"] = new JsonObject { ["name"] = "p2" }, ["spec"] = new JsonObject { ["nodeName"] = "node-b" } });
        await api.PatchAsync("/api/v1/namespaces/default/pods/p2/status", "application/merge-patch+json", """{"status":{"phase":"Running"}}""");

        static string Names(ApiResponse r) => string.Join(',', r.Body["items"]!.AsArray().Select(i => $"{i!["metadata"]!["namespace"]}/{i["metadata"]!["name"]}"));
        Assert.Equal("default/one,other/one", Names(await api.GetAsync("/api/v1/configmaps?fieldSelector=metadata.name%3Done")));
        Assert.Equal("other/one", Names(await api.GetAsync("/api/v1/configmaps?fieldSelector=metadata.namespace%3Dother")));
        Assert.Equal("default/two", Names(await api.GetAsync($"{Objects.ConfigMaps}?fieldSelector=metadata.name!%3Done")));
        Assert.Equal("default/p1", Names(await api.GetAsync("/api/v1/pods?fieldSelector=spec.nodeName%3Dnode-a")));
        Assert.Equal("default/p2", Names(await api.GetAsync("/api/v1/pods?fieldSelector=status.phase%3DRunning")));
        Assert.Equal("default/p1", Names(await api.GetAsync("/api/v1/pods?fieldSelector=status.phase%3DPending,metadata.namespace%3Ddefault")));

        var unsupported = await api.GetAsync($"{Objects.ConfigMaps}?fieldSelector=data.key%3Dx");
        Assert.Equal(HttpStatusCode.BadRequest, unsupported.Status);
        Assert.Contains("field label not supported", unsupported.Body["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Paging_with_limit_and_continue_returns_every_item_once_and_old_tokens_expire_after_compaction()
    {
        await using var server = await FakeApiServer.StartAsync();
        using var api = new ApiClient(server);
        for (var i = 0; i < 7; i++)
        {
            await api.CreateAsync(Objects.ConfigMaps, Objects.ConfigMap($"cm-{i}"));
        }

        var names = new List<string>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = await api.GetAsync($"{Objects.ConfigMaps}?limit=3" + (token is null ? string.Empty : "&continue=" + Uri.EscapeDataString(token)));
            Assert.Equal(HttpStatusCode.OK, page.Status);
            pages++;
            names.AddRange(page.Body["items"]!.AsArray().Select(i => i!["metadata"]!["name"]!.GetValue<string>()));
            token = page.Body["metadata"]!["continue"]?.GetValue<string>();
            if (pages == 1)
            {
                Assert.Equal(4, page.Body["metadata"]!["remainingItemCount"]!.GetValue<long>());
            }
        }
        while (token is not null);

        Assert.Equal(3, pages);
        Assert.Equal(Enumerable.Range(0, 7).Select(i => $"cm-{i}"), names);

        var first = await api.GetAsync($"{Objects.ConfigMaps}?limit=2");
        await api.CreateAsync(Objects.ConfigMaps, Objects.ConfigMap("before-compaction"));
        server.Compact();
        var expired = await api.GetAsync($"{Objects.ConfigMaps}?limit=2&continue=" + Uri.EscapeDataString(first.Body["metadata"]!["continue"]!.GetValue<string>()));
        Assert.Equal(HttpStatusCode.Gone, expired.Status);
        Assert.Equal("Expired", expired.Reason);
    }
}
