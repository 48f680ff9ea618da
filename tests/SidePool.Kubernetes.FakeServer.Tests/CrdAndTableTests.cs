using System.Net;
using System.Text.Json.Nodes;
using SidePool.Kubernetes.FakeServer.Tests.Support;

namespace SidePool.Kubernetes.FakeServer.Tests;

public sealed class CrdAndTableTests
{
    private const string TableAccept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";

    [Fact]
    public async Task Creating_a_crd_serves_the_resource_and_deleting_it_unregisters()
    {
        await using var server = await FakeApiServer.StartAsync();
        using var api = new ApiClient(server);
        var widgets = await Objects.CreateWidgetCrdAsync(api);

        var crd = await api.GetAsync("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com");
        var established = crd.Body["status"]!["conditions"]!.AsArray().Single(c => c!["type"]!.GetValue<string>() == "Established")!;
        Assert.Equal("True", established["status"]!.GetValue<string>());
        Assert.Equal("v1", crd.Body["status"]!["storedVersions"]![0]!.GetValue<string>());
        var discovery = await api.GetAsync("/apis/example.com/v1");
        Assert.Equal(["widgets", "widgets/status"], discovery.Body["resources"]!.AsArray().Select(r => r!["name"]!.GetValue<string>()));

        await api.CreateAsync(widgets, Objects.Widget("w", 1));
        Assert.Equal(HttpStatusCode.OK, (await api.DeleteAsync("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync(widgets)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync("/apis/example.com/v1")).Status);

        var badName = Objects.Crd("gizmos", "Gizmo", "example.com");
        badName["metadata"]!["name"] = "wrong.example.com";
        var invalid = await api.PostAsync("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", badName);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, invalid.Status);
    }

    [Fact]
    public async Task Crd_scale_subresource_reads_and_writes_the_configured_paths()
    {
        await using var server = await FakeApiServer.StartAsync();
        using var api = new ApiClient(server);
        var crd = Objects.Crd("workers", "Worker", "example.com");
        crd["spec"]!["versions"]![0]!["subresources"]!["scale"] = new JsonObject
        {
            ["specReplicasPath"] = ".spec.count",
            ["statusReplicasPath"] = ".status.count",
            ["labelSelectorPath"] = ".status.selector",
        };
        await api.CreateAsync("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd);
        var discovery = await api.GetAsync("/apis/example.com/v1");
        Assert.Contains("workers/scale", discovery.Body["resources"]!.AsArray().Select(r => r!["name"]!.GetValue<string>()));

        const string workers = "/apis/example.com/v1/namespaces/default/workers";
        await api.CreateAsync(workers, new JsonObject { ["metadata"] = new JsonObject { ["name"] = "w" }, ["spec"] = new JsonObject { ["count"] = 1 } });
        await api.PatchAsync(workers + "/w/status", "application/merge-patch+json", """{"status":{"count":1,"selector":"app=w"}}""");

        var scaled = await api.PatchAsync(workers + "/w/scale", "application/merge-patch+json", """{"spec":{"replicas":3}}""");
        Assert.Equal(HttpStatusCode.OK, scaled.Status);
        Assert.Equal(3, scaled.Body["spec"]!["replicas"]!.GetValue<int>());
        Assert.Equal(1, scaled.Body["status"]!["replicas"]!.GetValue<int>());
        Assert.Equal("app=w", scaled.Body["status"]!["selector"]!.GetValue<string>());
        Assert.Equal(3, (await api.GetAsync(workers + "/w")).Body["spec"]!["count"]!.GetValue<int>());

        var stale = scaled.Body.DeepClone().AsObject();
        stale["metadata"]!["resourceVersion"] = "1";
        Assert.Equal(HttpStatusCode.Conflict, (await api.PutAsync(workers + "/w/scale", stale)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync("/apis/example.com/v1/namespaces/default/widgets/x/scale")).Status);
    }

    [Fact]
    public async Task Table_output_uses_printer_columns_with_jsonpath_filters()
    {
        await using var server = await FakeApiServer.StartAsync();
        using var api = new ApiClient(server);
        var widgets = await Objects.CreateWidgetCrdAsync(api);
        await api.CreateAsync(widgets, Objects.Widget("t1", 7));
        await api.PatchAsync(widgets + "/t1/status", "application/merge-patch+json", """{"status":{"conditions":[{"type":"Synced","status":"False"},{"type":"Ready","status":"True"}]}}""");
        await api.CreateAsync(widgets, Objects.Widget("t2", 8));

        var table = await api.GetAsync(widgets, TableAccept);
        Assert.Equal(HttpStatusCode.OK, table.Status);
        Assert.Equal("Table", table.Body["kind"]!.GetValue<string>());
        Assert.Equal("meta.k8s.io/v1", table.Body["apiVersion"]!.GetValue<string>());
        Assert.Equal(["Name", "Size", "Ready", "Age"], table.Body["columnDefinitions"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()));
        var rows = table.Body["rows"]!.AsArray();
        Assert.Equal("t1", rows[0]!["cells"]![0]!.GetValue<string>());
        Assert.Equal(7, rows[0]!["cells"]![1]!.GetValue<int>());
        Assert.Equal("True", rows[0]!["cells"]![2]!.GetValue<string>());
        Assert.Null(rows[1]!["cells"]![2]);
        Assert.Matches("^[0-9]+s$", rows[0]!["cells"]![3]!.GetValue<string>());
        Assert.Equal("PartialObjectMetadata", rows[0]!["object"]!["kind"]!.GetValue<string>());

        var single = await api.GetAsync(widgets + "/t2?includeObject=Object", TableAccept);
        Assert.Equal("Widget", Assert.Single(single.Body["rows"]!.AsArray())!["object"]!["kind"]!.GetValue<string>());

        var configMaps = await api.GetAsync("/api/v1/namespaces/kube-system/configmaps", TableAccept);
        Assert.Equal(["Name", "Data", "Age"], configMaps.Body["columnDefinitions"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()));
    }
}
