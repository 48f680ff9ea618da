using System.Text.Json.Nodes;
using SidePool.Contract;
using SidePool.Core;
using SidePool.Kubernetes.Client;
using SidePool.Operator.Controller;
using SidePool.Operator.Tests.Support;
using Xunit;

namespace SidePool.Operator.Tests;

public sealed class SidecarModeTests
{
    private static async Task SetKubeletAsync(OperatorHarness h, string node, string version) =>
        await h.Client.Resource(KubernetesResources.Nodes).PatchStatusAsync(node, null, KubernetesPatch.Merge(new JsonObject
        {
            ["status"] = new JsonObject { ["nodeInfo"] = new JsonObject { ["kubeletVersion"] = version } },
        }));

    [Fact]
    public async Task AutoModeFollowsTheOldestKubeletAndIsPartOfTheVersion()
    {
        await using var h = await OperatorHarness.StartAsync(new PoolControllerOptions { SidecarMode = "auto", RecheckInterval = TimeSpan.FromMilliseconds(500) }, startController: false);
        var nodes = h.Client.Resource(KubernetesResources.Nodes);
        await nodes.CreateAsync(new Node { Metadata = new ObjectMeta { Name = "old" } });
        await nodes.CreateAsync(new Node { Metadata = new ObjectMeta { Name = "new" } });
        await SetKubeletAsync(h, "old", "v1.28.9");
        await SetKubeletAsync(h, "new", "v1.31.2");
        h.StartController();

        await h.CreateCredentialsAsync("default", "orders-creds", "app", "pw");
        await h.Pools.CreateAsync(OperatorHarness.Pool("default", "orders", "web"));
        var v1 = (await h.PoolWhenAsync("default", "orders", p => p.Status?.CurrentVersion is not null, "v1")).Status!.CurrentVersion!;
        var secret = await h.Secrets.GetAsync(VersionContract.Secrets.Version("orders", v1), "default");
        Assert.Equal("classic", secret.Metadata!.Annotations![VersionContract.Annotations.SidecarMode]);

        // The last old kubelet is upgraded: native sidecars, a new version.
        await SetKubeletAsync(h, "old", "v1.29.4");
        var pool = await h.PoolWhenAsync("default", "orders", p => p.Status?.CurrentVersion is { } c && c != v1, "native version");
        var v2 = pool.Status!.CurrentVersion!;
        Assert.Equal("native", (await h.Secrets.GetAsync(VersionContract.Secrets.Version("orders", v2), "default")).Metadata!.Annotations![VersionContract.Annotations.SidecarMode]);
    }
}
