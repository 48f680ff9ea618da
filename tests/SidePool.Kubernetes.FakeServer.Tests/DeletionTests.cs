using System.Net;
using System.Text.Json.Nodes;
using SidePool.Kubernetes.FakeServer.Tests.Support;

namespace SidePool.Kubernetes.FakeServer.Tests;

public sealed class DeletionTests
{
    [Fact]
    public async Task Finalizers_defer_deletion_until_the_last_one_is_removed()
    {
        await using var server = await FakeApiServer.StartAsync();
        using var api = new ApiClient(server);
        var widgets = await Objects.CreateWidgetCrdAsync(api);
        var widget = Objects.Widget("fin", 1);
        widget["metadata"]!["finalizers"] = new JsonArray("sidepool.dev/cleanup", "other/finalizer");
        await api.CreateAsync(widgets, widget);
        using var watch = await api.WatchAsync($"{widgets}?watch=true&resourceVersion={server.CurrentResourceVersion}");

        var deleting = await api.DeleteAsync(widgets + "/fin");
        Assert.Equal(HttpStatusCode.OK, deleting.Status);
        Assert.NotNull(deleting.Body["metadata"]!["deletionTimestamp"]);
        Assert.Equal(2, Objects.Generation(deleting.Body));
        Assert.Equal("MODIFIED", (await watch.NextAsync())!["type"]!.GetValue<string>());

        var still = await api.GetAsync(widgets + "/fin");
        Assert.Equal(HttpStatusCode.OK, still.Status);
        var addFinalizer = await api.PatchAsync(widgets + "/fin", "application/json-patch+json", """[{"op":"add","path":"/metadata/finalizers/-","value":"late/one"}]""");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, addFinalizer.Status);

        await api.PatchAsync(widgets + "/fin", "application/json-patch+json", """[{"op":"remove","path":"/metadata/finalizers/0"}]""");
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync(widgets + "/fin")).Status);
        Assert.Equal("MODIFIED", (await watch.NextAsync())!["type"]!.GetValue<string>());

        var last = await api.PatchAsync(widgets + "/fin", "application/merge-patch+json", """{"metadata":{"finalizers":null}}""");
        Assert.Equal(HttpStatusCode.OK, last.Status);
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync(widgets + "/fin")).Status);
        Assert.Equal("DELETED", (await watch.NextAsync())!["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task Delete_preconditions_are_enforced_with_409()
    {
        await using var server = await FakeApiServer.StartAsync();
        using var api = new ApiClient(server);
        var created = await api.CreateAsync(Objects.ConfigMaps, Objects.ConfigMap("pre"));

        var wrongUid = await api.DeleteAsync(Objects.ConfigMaps + "/pre", new JsonObject { ["preconditions"] = new JsonObject { ["uid"] = "00000000-0000-0000-0000-000000000000" } });
        Assert.Equal(HttpStatusCode.Conflict, wrongUid.Status);
        Assert.Contains("Precondition failed: UID in precondition", wrongUid.Body["message"]!.GetValue<string>(), StringComparison.Ordinal);
        var wrongRv = await api.DeleteAsync(Objects.ConfigMaps + "/pre", new JsonObject { ["preconditions"] = new JsonObject { ["resourceVersion"] = "1" } });
        Assert.Equal(HttpStatusCode.Conflict, wrongRv.Status);

        var ok = await api.DeleteAsync(Objects.ConfigMaps + "/pre", new JsonObject
        {
            ["kind"] = "DeleteOptions",
            ["apiVersion"] = "v1",
            ["preconditions"] = new JsonObject { ["uid"] = created["metadata"]!["uid"]!.DeepClone(), ["resourceVersion"] = Objects.Rv(created) },
        });
        Assert.Equal(HttpStatusCode.OK, ok.Status);
        Assert.Equal("Status", ok.Body["kind"]!.GetValue<string>());
        Assert.Equal("Success", ok.Body["status"]!.GetValue<string>());
        Assert.Equal(created["metadata"]!["uid"]!.GetValue<string>(), ok.Body["details"]!["uid"]!.GetValue<string>());
        Assert.Equal("configmaps", ok.Body["details"]!["kind"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync(Objects.ConfigMaps + "/pre")).Status);

        var protectedNamespace = await api.DeleteAsync("/api/v1/namespaces/default");
        Assert.Equal(HttpStatusCode.Forbidden, protectedNamespace.Status);
    }

    [Fact]
    public async Task Background_garbage_collection_deletes_dependents_and_orphan_policy_keeps_them()
    {
        await using var server = await FakeApiServer.StartAsync();
        using var api = new ApiClient(server);
        var owner = await api.CreateAsync("/apis/apps/v1/namespaces/default/deployments", new JsonObject { ["metadata"] = new JsonObject { ["name"] = "web" }, ["spec"] = new JsonObject { ["replicas"] = 1 } });
        var keeper = await api.CreateAsync("/apis/apps/v1/namespaces/default/deployments", new JsonObject { ["metadata"] = new JsonObject { ["name"] = "keeper" }, ["spec"] = new JsonObject() });
        await api.CreateAsync("/apis/apps/v1/namespaces/default/replicasets", Dependent("web-rs", owner));
        await api.CreateAsync(Objects.ConfigMaps, Dependent("web-config", owner));
        await api.CreateAsync(Objects.ConfigMaps, Dependent("keeper-config", keeper));

        Assert.Equal(HttpStatusCode.OK, (await api.DeleteAsync("/apis/apps/v1/namespaces/default/deployments/web", new JsonObject { ["propagationPolicy"] = "Background" })).Status);
        await Objects.EventuallyAsync(() => api.GetAsync("/apis/apps/v1/namespaces/default/replicasets/web-rs"), r => r.Status == HttpStatusCode.NotFound, "the ReplicaSet to be collected");
        await Objects.EventuallyAsync(() => api.GetAsync(Objects.ConfigMaps + "/web-config"), r => r.Status == HttpStatusCode.NotFound, "the ConfigMap to be collected");

        Assert.Equal(HttpStatusCode.OK, (await api.DeleteAsync("/apis/apps/v1/namespaces/default/deployments/keeper", new JsonObject { ["propagationPolicy"] = "Orphan" })).Status);
        server.CollectGarbage();
        var orphan = await api.GetAsync(Objects.ConfigMaps + "/keeper-config");
        Assert.Equal(HttpStatusCode.OK, orphan.Status);
        Assert.Null(orphan.Body["metadata"]!["ownerReferences"]);
    }

    [Fact]
    public async Task Foreground_deletion_removes_dependents_before_the_owner()
    {
        await using var server = await FakeApiServer.StartAsync();
        using var api = new ApiClient(server);
        var owner = await api.CreateAsync(Objects.ConfigMaps, Objects.ConfigMap("owner"));
        await api.CreateAsync(Objects.ConfigMaps, Dependent("child", owner));
        await api.DeleteAsync(Objects.ConfigMaps + "/owner", new JsonObject { ["propagationPolicy"] = "Foreground" });
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync(Objects.ConfigMaps + "/child")).Status);
    }

    [Fact]
    public async Task Deleting_a_namespace_removes_its_contents()
    {
        await using var server = await FakeApiServer.StartAsync();
        using var api = new ApiClient(server);
        await api.CreateAsync("/api/v1/namespaces", new JsonObject { ["metadata"] = new JsonObject { ["name"] = "doomed" } });
        await api.CreateAsync("/api/v1/namespaces/doomed/configmaps", Objects.ConfigMap("inside"));

        var terminating = await api.DeleteAsync("/api/v1/namespaces/doomed");
        Assert.Equal("Terminating", terminating.Body["status"]!["phase"]!.GetValue<string>());
        await Objects.EventuallyAsync(() => api.GetAsync("/api/v1/namespaces/doomed"), r => r.Status == HttpStatusCode.NotFound, "the namespace to disappear");
        Assert.Empty((await api.GetAsync("/api/v1/namespaces/doomed/configmaps")).Body["items"]!.AsArray());
    }

    [Fact]
    public async Task Deletecollection_honours_the_label_selector()
    {
        await using var server = await FakeApiServer.StartAsync();
        using var api = new ApiClient(server);
        await api.CreateAsync(Objects.ConfigMaps, Objects.ConfigMap("x1", labels: new JsonObject { ["batch"] = "x" }));
        await api.CreateAsync(Objects.ConfigMaps, Objects.ConfigMap("x2", labels: new JsonObject { ["batch"] = "x" }));
        await api.CreateAsync(Objects.ConfigMaps, Objects.ConfigMap("y1", labels: new JsonObject { ["batch"] = "y" }));

        var deleted = await api.DeleteAsync($"{Objects.ConfigMaps}?labelSelector=batch%3Dx");
        Assert.Equal(HttpStatusCode.OK, deleted.Status);
        Assert.Equal(2, deleted.Body["items"]!.AsArray().Count);
        var left = (await api.GetAsync(Objects.ConfigMaps)).Body["items"]!.AsArray();
        Assert.Equal("y1", Assert.Single(left)!["metadata"]!["name"]!.GetValue<string>());
    }

    private static JsonObject Dependent(string name, JsonObject owner)
    {
        var dependent = Objects.ConfigMap(name);
        dependent.Remove("kind");
        dependent.Remove("apiVersion");
        dependent["metadata"]!["ownerReferences"] = new JsonArray(new JsonObject
        {
            ["apiVersion"] = owner["apiVersion"]!.DeepClone(),
            ["kind"] = owner["kind"]!.DeepClone(),
            ["name"] = owner["metadata"]!["name"]!.DeepClone(),
            ["uid"] = owner["metadata"]!["uid"]!.DeepClone(),
            ["controller"] = true,
        });
        return dependent;
    }
}
