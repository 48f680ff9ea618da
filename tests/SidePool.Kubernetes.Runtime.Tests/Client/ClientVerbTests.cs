using System.Text.Json.Nodes;
using SidePool.Kubernetes.Client;
using SidePool.Kubernetes.Runtime.Tests.Support;
using Xunit;

namespace SidePool.Kubernetes.Runtime.Tests;

public sealed class ClientVerbTests
{
    [Fact]
    public async Task List_all_follows_continue_tokens_with_selectors()
    {
        await using var server = RawHttpServer.Start((request, stream, ct) =>
        {
            var body = request.Target.Contains("continue=page2", StringComparison.Ordinal)
                ? """{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"10"},"items":[{"metadata":{"name":"c","namespace":"ns"}}]}"""
                : """{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"10","continue":"page2"},"items":[{"metadata":{"name":"a","namespace":"ns"}},{"metadata":{"name":"b","namespace":"ns"}}]}""";
            return RawHttpServer.WriteResponseAsync(stream, 200, body, cancellationToken: ct);
        });
        using var client = TestClients.For(server.BaseAddress);
        var names = new List<string>();
        await foreach (var pod in client.Resource(KubernetesResources.Pods).ListAllAsync("ns", new ListOptions { Limit = 2, LabelSelector = "app=db,tier in (a,b)", FieldSelector = "status.phase=Running" }))
        {
            names.Add(pod.Metadata!.Name!);
        }

        Assert.Equal(["a", "b", "c"], names);
        var requests = server.Requests.ToArray();
        Assert.Equal(2, requests.Length);
        Assert.Equal("/api/v1/namespaces/ns/pods?fieldSelector=status.phase%3DRunning&labelSelector=app%3Ddb%2Ctier%20in%20%28a%2Cb%29&limit=2", requests[0].Target);
        Assert.Contains("continue=page2", requests[1].Target, StringComparison.Ordinal);
        Assert.Contains("limit=2", requests[1].Target, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cluster_scoped_kinds_and_all_namespace_lists_use_the_right_paths()
    {
        await using var server = RawHttpServer.Start((_, stream, ct) => RawHttpServer.WriteResponseAsync(stream, 200, """{"metadata":{},"items":[]}""", cancellationToken: ct));
        using var client = TestClients.For(server.BaseAddress, @namespace: "team");
        await client.Resource(KubernetesResources.Nodes).ListAsync("ignored");
        await client.Resource(KubernetesResources.Deployments).ListAsync();
        await client.Resource(KubernetesResources.MutatingWebhookConfigurations).ListAsync();
        await client.Resource(KubernetesResources.Leases).ListAsync("kube-system");
        Assert.Equal(
            ["/api/v1/nodes", "/apis/apps/v1/deployments", "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations", "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases"],
            server.Requests.Select(r => r.Target).ToArray());
    }

    [Fact]
    public async Task Patches_carry_their_content_types_and_status_paths()
    {
        await using var server = RawHttpServer.Start((_, stream, ct) => RawHttpServer.WriteResponseAsync(stream, 200, """{"metadata":{"name":"web"}}""", cancellationToken: ct));
        using var client = TestClients.For(server.BaseAddress, @namespace: "shop");
        var deployments = client.Resource(KubernetesResources.Deployments);
        await deployments.PatchAsync("web", null, KubernetesPatch.Json([KubernetesPatch.Operation("add", "/spec/template/metadata/annotations/" + KubernetesPatch.EscapePointer("sidepool.io/revision"), "abc")]));
        await deployments.PatchAsync("web", null, KubernetesPatch.Merge(new JsonObject { ["metadata"] = new JsonObject { ["labels"] = new JsonObject { ["a"] = "b" } } }));
        await deployments.PatchStatusAsync("web", null, KubernetesPatch.Merge(new JsonObject { ["status"] = new JsonObject() }), new PatchOptions { FieldManager = "sidepool" });
        var requests = server.Requests.ToArray();
        Assert.Equal("application/json-patch+json", requests[0].Header("Content-Type")?.Split(';')[0]);
        Assert.Equal("""[{"op":"add","path":"/spec/template/metadata/annotations/sidepool.io~1revision","value":"abc"}]""", requests[0].BodyText);
        Assert.Equal("application/merge-patch+json", requests[1].Header("Content-Type")?.Split(';')[0]);
        Assert.Equal("PATCH /apis/apps/v1/namespaces/shop/deployments/web/status?fieldManager=sidepool HTTP/1.1", requests[2].RequestLine);
    }

    [Fact]
    public async Task Delete_sends_propagation_policy_and_preconditions()
    {
        await using var server = RawHttpServer.Start((_, stream, ct) => RawHttpServer.WriteResponseAsync(stream, 200, """{"kind":"Status","apiVersion":"v1","status":"Success"}""", cancellationToken: ct));
        using var client = TestClients.For(server.BaseAddress);
        await client.Resource(KubernetesResources.Pods).DeleteAsync("p", "ns", new DeleteOptions
        {
            PropagationPolicy = "Foreground",
            Preconditions = new Preconditions { Uid = "u-1", ResourceVersion = "7" },
        });
        var request = Assert.Single(server.Requests);
        Assert.Equal("DELETE /api/v1/namespaces/ns/pods/p HTTP/1.1", request.RequestLine);
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse("""{"kind":"DeleteOptions","apiVersion":"v1","propagationPolicy":"Foreground","preconditions":{"uid":"u-1","resourceVersion":"7"}}"""),
            JsonNode.Parse(request.BodyText)));
    }

    [Fact]
    public async Task Replace_sends_the_resource_version_it_read()
    {
        await using var server = RawHttpServer.Start((request, stream, ct) => RawHttpServer.WriteResponseAsync(stream, 200, request.Method == "PUT" ? request.BodyText : """{"metadata":{"name":"c","namespace":"ns","resourceVersion":"41"},"data":{"n":"1"}}""", cancellationToken: ct));
        using var client = TestClients.For(server.BaseAddress);
        var maps = client.Resource(KubernetesResources.ConfigMaps);
        var map = await maps.GetAsync("c", "ns");
        await maps.ReplaceAsync(map with { Data = new Dictionary<string, string> { ["n"] = "2" } });
        var put = server.Requests.Last();
        Assert.Equal("PUT /api/v1/namespaces/ns/configmaps/c HTTP/1.1", put.RequestLine);
        Assert.Equal("41", JsonNode.Parse(put.BodyText)!["metadata"]!["resourceVersion"]!.GetValue<string>());
    }
}
