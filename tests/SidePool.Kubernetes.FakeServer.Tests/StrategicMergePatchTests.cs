using System.Net;
using System.Text.Json.Nodes;
using SidePool.Kubernetes.FakeServer.Tests.Support;

namespace SidePool.Kubernetes.FakeServer.Tests;

public sealed class StrategicMergePatchTests
{
    private const string Deployments = "/apis/apps/v1/namespaces/default/deployments";

    private static JsonObject Deployment() => JsonNode.Parse("""
        {"metadata":{"name":"web","finalizers":["a"]},
         "spec":{"replicas":1,"template":{"spec":{
           "containers":[
             {"name":"app","image":"app:1","env":[{"name":"A","value":"1"},{"name":"B","value":"2"}],"ports":[{"containerPort":8080}]},
             {"name":"pgbouncer","image":"pgbouncer:1.23","args":["-v"]}],
           "volumes":[{"name":"config","configMap":{"name":"c"}}]}}}}
        """)!.AsObject();

    [Fact]
    public async Task Lists_with_merge_keys_merge_items_by_key()
    {
        await using var server = await FakeApiServer.StartAsync();
        using var api = new ApiClient(server);
        await api.CreateAsync(Deployments, Deployment());

        var patch = """
            {"spec":{"template":{"spec":{
               "$setElementOrder/containers":[{"name":"app"},{"name":"pgbouncer"}],
               "containers":[{"name":"app","image":"app:2","env":[{"name":"B","value":"20"},{"name":"C","value":"3"}]},
                             {"name":"sidecar","image":"s:1"}],
               "volumes":[{"name":"config","$patch":"delete"}]}}},
             "metadata":{"finalizers":["b"]}}
            """;
        var patched = await api.PatchAsync(Deployments + "/web", "application/strategic-merge-patch+json", patch);
        Assert.Equal(HttpStatusCode.OK, patched.Status);
        var containers = patched.Body["spec"]!["template"]!["spec"]!["containers"]!.AsArray();
        Assert.Equal(["app", "pgbouncer", "sidecar"], containers.Select(c => c!["name"]!.GetValue<string>()));
        Assert.Equal("app:2", containers[0]!["image"]!.GetValue<string>());
        Assert.Equal(8080, containers[0]!["ports"]![0]!["containerPort"]!.GetValue<int>());
        Assert.Equal("""[{"name":"A","value":"1"},{"name":"B","value":"20"},{"name":"C","value":"3"}]""", containers[0]!["env"]!.ToJsonString());
        Assert.Equal("""["-v"]""", containers[1]!["args"]!.ToJsonString());
        Assert.Empty(patched.Body["spec"]!["template"]!["spec"]!["volumes"]!.AsArray());
        Assert.Equal("""["a","b"]""", patched.Body["metadata"]!["finalizers"]!.ToJsonString());
    }

    [Fact]
    public async Task Directives_delete_replace_retainKeys_and_deleteFromPrimitiveList()
    {
        await using var server = await FakeApiServer.StartAsync();
        using var api = new ApiClient(server);
        await api.CreateAsync(Deployments, Deployment());

        var patch = """
            {"metadata":{"$deleteFromPrimitiveList/finalizers":["a"]},
             "spec":{"strategy":{"$retainKeys":["type"],"type":"Recreate","rollingUpdate":{"maxSurge":1}},
                     "template":{"spec":{"containers":[{"name":"pgbouncer","$patch":"delete"}],
                                         "volumes":[{"$patch":"replace"},{"name":"only","emptyDir":{}}]}}}}
            """;
        var patched = await api.PatchAsync(Deployments + "/web", "application/strategic-merge-patch+json", patch);
        Assert.Equal(HttpStatusCode.OK, patched.Status);
        Assert.Null(patched.Body["metadata"]!["finalizers"]?.AsArray().FirstOrDefault());
        Assert.Equal("""{"type":"Recreate"}""", patched.Body["spec"]!["strategy"]!.ToJsonString());
        var spec = patched.Body["spec"]!["template"]!["spec"]!;
        Assert.Equal(["app"], spec["containers"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()));
        Assert.Equal("""[{"name":"only","emptyDir":{}}]""", spec["volumes"]!.ToJsonString());
    }
}
