using System.Text.Json.Nodes;
using SidePool.Kubernetes.Client;
using SidePool.Kubernetes.Config;
using SidePool.Kubernetes.Errors;
using SidePool.Kubernetes.FakeServer;
using SidePool.Kubernetes.Runtime.Tests.Support;
using Xunit;

namespace SidePool.Kubernetes.Runtime.Tests;

/// <summary>The client end to end against the fake API server, configured from the kubeconfig it writes.</summary>
public sealed class FakeServerIntegrationTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Kubeconfig_with_tls_token_and_client_certificate_reaches_the_server()
    {
        await using var server = await FakeApiServer.StartAsync(new FakeApiServerOptions
        {
            ServerCertificate = SidePool.Kubernetes.FakeServer.TestCertificates.CreateServerCertificate(),
            RequiredBearerToken = "fake-token-123",
            RequireClientCertificate = true,
        });
        var path = server.WriteKubeconfig(Path.Combine(_dir.Path, "kubeconfig"), "default");
        using var client = new KubernetesClient(await KubeConfigLoader.LoadAsync(new KubeConfigLoadOptions { ExplicitPath = path }));
        var created = await client.Resource(KubernetesResources.ConfigMaps).CreateAsync(new ConfigMap { Metadata = new ObjectMeta { Name = "hello" }, Data = new Dictionary<string, string> { ["a"] = "b" } });
        Assert.Equal("default", created.Metadata!.NamespaceProperty);
        Assert.False(string.IsNullOrEmpty(created.Metadata.ResourceVersion));

        var wrongToken = await KubeConfigLoader.LoadAsync(new KubeConfigLoadOptions { ExplicitPath = path });
        wrongToken.AccessToken = "nope";
        using var refused = new KubernetesClient(wrongToken);
        var error = await Assert.ThrowsAsync<KubernetesUnauthorizedException>(() => refused.Resource(KubernetesResources.ConfigMaps).GetAsync("hello"));
        Assert.DoesNotContain("fake-token-123", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verbs_work_against_the_fake_server()
    {
        await using var server = await FakeApiServer.StartAsync();
        using var client = KubernetesClient.ForServer(server.BaseAddress);
        var deployments = client.Resource(KubernetesResources.Deployments);
        var deployment = new Deployment
        {
            Metadata = new ObjectMeta { Name = "web", Labels = new Dictionary<string, string> { ["app"] = "web" } },
            Spec = new DeploymentSpec
            {
                Replicas = 1,
                Selector = new LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "web" } },
                Template = new PodTemplateSpec { Metadata = new ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = "web" } }, Spec = new PodSpec { Containers = [new Container { Name = "app", Image = "nginx" }] } },
            },
        };
        var created = await deployments.CreateAsync(deployment);
        await Assert.ThrowsAsync<KubernetesAlreadyExistsException>(() => deployments.CreateAsync(deployment));

        // Someone else's object: annotate the pod template with a JSON patch, leaving unknown fields alone.
        var patched = await deployments.PatchAsync("web", null, KubernetesPatch.Json([KubernetesPatch.Operation("add", "/spec/template/metadata/annotations", new JsonObject { ["sidepool.io/revision"] = "1" })]));
        Assert.Equal("1", patched.Spec!.Template.Metadata!.Annotations!["sidepool.io/revision"]);

        var merged = await deployments.PatchAsync("web", null, KubernetesPatch.Merge(new JsonObject { ["metadata"] = new JsonObject { ["labels"] = new JsonObject { ["team"] = "db" } } }));
        Assert.Equal("db", merged.Metadata!.Labels!["team"]);

        var status = await deployments.PatchStatusAsync("web", null, KubernetesPatch.Merge(new JsonObject { ["status"] = new JsonObject { ["observedGeneration"] = 7 } }));
        Assert.Equal(7, status.Status!.ObservedGeneration);

        // A stale resourceVersion is a typed conflict.
        created.Spec!.Replicas = 5;
        await Assert.ThrowsAsync<KubernetesConflictException>(() => deployments.ReplaceAsync(created));

        // Server-side apply of our own object.
        var maps = client.Resource(KubernetesResources.ConfigMaps);
        var applied = await maps.ApplyAsync(new ConfigMap { Metadata = new ObjectMeta { Name = "owned", NamespaceProperty = "default" }, Data = new Dictionary<string, string> { ["k"] = "v" } }, "sidepool");
        Assert.Equal("v", applied.Data!["k"]);

        var list = await deployments.ListAsync("default", new ListOptions { LabelSelector = "team=db" });
        Assert.Single(list.Items);
        Assert.False(string.IsNullOrEmpty(list.Metadata.ResourceVersion));

        await deployments.DeleteAsync("web", options: new DeleteOptions { PropagationPolicy = "Background", Preconditions = new Preconditions { Uid = created.Metadata!.Uid } });
        Assert.Null(await deployments.TryGetAsync("web"));
        await Assert.ThrowsAsync<KubernetesNotFoundException>(() => deployments.DeleteAsync("web"));
    }

    [Fact]
    public async Task Paged_list_follows_continue_tokens_on_the_fake_server()
    {
        await using var server = await FakeApiServer.StartAsync();
        using var client = KubernetesClient.ForServer(server.BaseAddress);
        var maps = client.Resource(KubernetesResources.ConfigMaps);
        for (var i = 0; i < 12; i++)
        {
            await maps.CreateAsync(new ConfigMap { Metadata = new ObjectMeta { Name = $"m{i:00}" } });
        }

        var first = await maps.ListAsync("default", new ListOptions { Limit = 5 });
        Assert.Equal(5, first.Items.Count);
        Assert.False(string.IsNullOrEmpty(first.Metadata.ContinueProperty));
        var all = new List<string>();
        await foreach (var map in maps.ListAllAsync("default", new ListOptions { Limit = 5 }))
        {
            all.Add(map.Metadata!.Name!);
        }

        Assert.Equal(Enumerable.Range(0, 12).Select(i => $"m{i:00}"), all.Order());
    }
}
