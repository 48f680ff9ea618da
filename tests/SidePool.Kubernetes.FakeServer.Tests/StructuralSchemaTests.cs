using System.Net;
using System.Text.Json.Nodes;
using SidePool.Kubernetes.FakeServer.Tests.Support;

namespace SidePool.Kubernetes.FakeServer.Tests;

public sealed class StructuralSchemaTests
{
    private const string Pools = "/apis/demo.sidepool.dev/v1/namespaces/default/pools";

    private static JsonObject Crd() => JsonNode.Parse("""
        {"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition",
         "metadata":{"name":"pools.demo.sidepool.dev"},
         "spec":{"group":"demo.sidepool.dev","scope":"Namespaced",
           "names":{"kind":"Pool","plural":"pools","singular":"pool"},
           "versions":[{"name":"v1","served":true,"storage":true,"subresources":{"status":{}},
             "schema":{"openAPIV3Schema":{"type":"object","properties":{
               "spec":{"type":"object","properties":{
                 "mode":{"type":"string","default":"transaction"},
                 "size":{"type":"integer","default":10},
                 "tls":{"type":"object","default":{},"properties":{"mode":{"type":"string","default":"prefer"}}},
                 "labels":{"type":"object","additionalProperties":{"type":"string"}},
                 "extra":{"type":"object","x-kubernetes-preserve-unknown-fields":true},
                 "ports":{"type":"array","items":{"type":"object","properties":{"port":{"type":"integer"},"protocol":{"type":"string","default":"TCP"}}}}}},
               "status":{"type":"object","properties":{"phase":{"type":"string"}}}}}}}]}}
        """)!.AsObject();

    [Fact]
    public async Task Defaults_are_applied_and_unknown_fields_pruned()
    {
        await using var server = await FakeApiServer.StartAsync();
        using var api = new ApiClient(server);
        await api.CreateAsync("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", Crd());

        var body = JsonNode.Parse("""
            {"apiVersion":"demo.sidepool.dev/v1","kind":"Pool","metadata":{"name":"p"},
             "spec":{"size":3,"unknown":"x","labels":{"a":"b"},"extra":{"anything":{"goes":1}},"ports":[{"port":5432,"bogus":true}]},
             "topLevelUnknown":1}
            """)!.AsObject();
        var created = await api.CreateAsync(Pools, body);
        Assert.Equal("""{"size":3,"labels":{"a":"b"},"extra":{"anything":{"goes":1}},"ports":[{"port":5432,"protocol":"TCP"}],"mode":"transaction","tls":{"mode":"prefer"}}""", created["spec"]!.ToJsonString());
        Assert.Null(created["topLevelUnknown"]);

        var status = await api.PatchAsync(Pools + "/p/status", "application/merge-patch+json", """{"status":{"phase":"Ready","nope":1}}""");
        Assert.Equal("""{"phase":"Ready"}""", status.Body["status"]!.ToJsonString());
    }

    [Fact]
    public async Task Strict_field_validation_rejects_unknown_fields_with_400()
    {
        await using var server = await FakeApiServer.StartAsync();
        using var api = new ApiClient(server);
        await api.CreateAsync("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", Crd());
        var body = JsonNode.Parse("""{"apiVersion":"demo.sidepool.dev/v1","kind":"Pool","metadata":{"name":"p"},"spec":{"sise":3}}""")!.AsObject();

        var rejected = await api.PostAsync(Pools + "?fieldValidation=Strict", body);
        Assert.Equal(HttpStatusCode.BadRequest, rejected.Status);
        Assert.Equal("BadRequest", rejected.Reason);
        Assert.Contains("strict decoding error: unknown field \"spec.sise\"", rejected.Body["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync(Pools + "/p")).Status);
    }
}
