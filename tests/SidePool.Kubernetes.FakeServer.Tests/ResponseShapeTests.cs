using System.Text.Json.Nodes;
using SidePool.Kubernetes.FakeServer.Tests.Support;

namespace SidePool.Kubernetes.FakeServer.Tests;

/// <summary>Field layout of responses, as in the real API server captures (client-go dynamic testdata).</summary>
public sealed class ResponseShapeTests
{
    private static readonly string[] ObjectKeys = ["kind", "apiVersion", "metadata"];
    private static readonly string[] MetadataKeys = ["name", "namespace", "uid", "resourceVersion", "creationTimestamp"];

    [Fact]
    public async Task Get_and_list_of_a_built_in_match_the_real_layout()
    {
        await using var server = await FakeApiServer.StartAsync();
        using var api = new ApiClient(server);
        await api.CreateAsync("/api/v1/namespaces/default/serviceaccounts", new JsonObject { ["metadata"] = new JsonObject { ["name"] = "foobar" } });

        var get = await api.GetAsync("/api/v1/namespaces/default/serviceaccounts/foobar");
        Assert.Equal(ObjectKeys, Keys(get.Body));
        Assert.Equal(MetadataKeys, Keys(get.Body["metadata"]!));

        var list = await api.GetAsync("/api/v1/namespaces/default/serviceaccounts");
        Assert.Equal(["kind", "apiVersion", "metadata", "items"], Keys(list.Body));
        Assert.Equal("ServiceAccountList", list.Body["kind"]!.GetValue<string>());
        Assert.Equal(["resourceVersion"], Keys(list.Body["metadata"]!));
        var item = Assert.Single(list.Body["items"]!.AsArray())!;
        Assert.Equal(["metadata"], Keys(item));
        Assert.Equal(MetadataKeys, Keys(item["metadata"]!));
    }

    [Fact]
    public async Task Custom_resource_list_items_keep_kind_and_apiVersion()
    {
        await using var server = await FakeApiServer.StartAsync();
        using var api = new ApiClient(server);
        var widgets = await Objects.CreateWidgetCrdAsync(api);
        await api.CreateAsync(widgets, Objects.Widget("w", 1));
        var item = Assert.Single((await api.GetAsync(widgets)).Body["items"]!.AsArray())!;
        Assert.Equal(["kind", "apiVersion", "metadata", "spec"], Keys(item));
        Assert.Equal("WidgetList", (await api.GetAsync(widgets)).Body["kind"]!.GetValue<string>());
    }

    private static List<string> Keys(JsonNode node) => node.AsObject().Select(p => p.Key).ToList();
}
