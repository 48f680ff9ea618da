using System.Net;
using System.Text.Json.Nodes;
using SidePool.Kubernetes.FakeServer.Tests.Support;

namespace SidePool.Kubernetes.FakeServer.Tests;

public sealed class PatchTests
{
    [Fact]
    public async Task Merge_patch_follows_rfc7386()
    {
        await using var server = await FakeApiServer.StartAsync();
        using var api = new ApiClient(server);
        await api.CreateAsync(Objects.ConfigMaps, Objects.ConfigMap("m", new JsonObject { ["a"] = "1", ["b"] = "2" }, new JsonObject { ["x"] = "y" }));

        var patched = await api.PatchAsync(Objects.ConfigMaps + "/m", "application/merge-patch+json", """{"data":{"a":null,"c":"3"},"metadata":{"labels":{"z":"w"}}}""");
        Assert.Equal(HttpStatusCode.OK, patched.Status);
        Assert.Equal("""{"b":"2","c":"3"}""", patched.Body["data"]!.ToJsonString());
        Assert.Equal("""{"x":"y","z":"w"}""", patched.Body["metadata"]!["labels"]!.ToJsonString());

        var stale = await api.PatchAsync(Objects.ConfigMaps + "/m", "application/merge-patch+json", """{"metadata":{"resourceVersion":"1"},"data":{"d":"4"}}""");
        Assert.Equal(HttpStatusCode.Conflict, stale.Status);
        var missing = await api.PatchAsync(Objects.ConfigMaps + "/none", "application/merge-patch+json", "{}");
        Assert.Equal(HttpStatusCode.NotFound, missing.Status);
    }

    [Fact]
    public async Task Json_patch_supports_every_op_and_a_failing_test_is_422_Invalid()
    {
        await using var server = await FakeApiServer.StartAsync();
        using var api = new ApiClient(server);
        var widgets = await Objects.CreateWidgetCrdAsync(api);
        var widget = Objects.Widget("j", 1);
        widget["spec"]!["items"] = new JsonArray("a", "b");
        await api.CreateAsync(widgets, widget);

        var ops = """
            [
              {"op":"test","path":"/spec/size","value":1},
              {"op":"replace","path":"/spec/size","value":5},
              {"op":"add","path":"/spec/items/1","value":"inserted"},
              {"op":"add","path":"/spec/items/-","value":"last"},
              {"op":"copy","from":"/spec/size","path":"/spec/copied"},
              {"op":"move","from":"/spec/copied","path":"/spec/moved"},
              {"op":"remove","path":"/spec/items/0"},
              {"op":"add","path":"/metadata/labels","value":{"a~b/c":"x"}}
            ]
            """;
        var patched = await api.PatchAsync(widgets + "/j", "application/json-patch+json", ops);
        Assert.Equal(HttpStatusCode.OK, patched.Status);
        Assert.Equal("""{"size":5,"items":["inserted","b","last"],"moved":5}""", patched.Body["spec"]!.ToJsonString());
        Assert.Equal(2, Objects.Generation(patched.Body));

        var failing = await api.PatchAsync(widgets + "/j", "application/json-patch+json", """[{"op":"test","path":"/spec/size","value":6},{"op":"replace","path":"/spec/size","value":7}]""");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, failing.Status);
        Assert.Equal("Invalid", failing.Reason);
        Assert.Equal("the server rejected our request due to an error in our request", failing.Body["message"]!.GetValue<string>());
        Assert.Equal("{}", failing.Body["details"]!.ToJsonString());
        Assert.Equal(5, (await api.GetAsync(widgets + "/j")).Body["spec"]!["size"]!.GetValue<int>());

        var missingPath = await api.PatchAsync(widgets + "/j", "application/json-patch+json", """[{"op":"remove","path":"/spec/nothing"}]""");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, missingPath.Status);
    }

    [Fact]
    public async Task Strategic_merge_patch_works_for_built_ins_and_is_415_for_custom_resources()
    {
        await using var server = await FakeApiServer.StartAsync();
        using var api = new ApiClient(server);
        var widgets = await Objects.CreateWidgetCrdAsync(api);
        await api.CreateAsync(widgets, Objects.Widget("s", 1));
        await api.CreateAsync(Objects.ConfigMaps, Objects.ConfigMap("s"));

        var builtIn = await api.PatchAsync(Objects.ConfigMaps + "/s", "application/strategic-merge-patch+json", """{"data":{"new":"v"},"$setElementOrder/x":[]}""");
        Assert.Equal(HttpStatusCode.OK, builtIn.Status);
        Assert.Equal("v", builtIn.Body["data"]!["new"]!.GetValue<string>());
        Assert.Null(builtIn.Body["$setElementOrder/x"]);

        var custom = await api.PatchAsync(widgets + "/s", "application/strategic-merge-patch+json", """{"spec":{"size":2}}""");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, custom.Status);
        Assert.Equal("UnsupportedMediaType", custom.Reason);
    }
}
