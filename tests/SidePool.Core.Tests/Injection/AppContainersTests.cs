using System.Text.Json.Nodes;
using SidePool.Core;
using Xunit;

namespace SidePool.Core.Tests;

public sealed class AppContainersTests
{
    private static readonly PodInventory Pod = PodInventory.Of(new JsonObject
    {
        ["spec"] = JsonNode.Parse("""
            {
              "initContainers": [
                { "name": "sidepool-orders-db", "restartPolicy": "Always" },
                { "name": "istio-proxy", "restartPolicy": "Always" },
                { "name": "migrate", "env": [ { "name": "MODE", "value": "up" }, { "valueFrom": {} } ] }
              ],
              "containers": [
                { "name": "web", "volumeMounts": [ { "name": "a", "mountPath": "/data/" }, { "name": "b", "mountPath": "/cache" } ] },
                { "name": "sidepool-reports-db" },
                { "name": "worker" }
              ]
            }
            """),
    });

    private static readonly AppContainers Apps = AppContainers.Of(Pod, [TestPools.Pool("orders-db"), TestPools.Pool("reports-db")]);

    [Fact]
    public void App_containers_are_the_regular_ones_but_the_pools_sidecars_and_init_containers_but_native_sidecars()
    {
        Assert.Equal([("web", "/spec/containers/0"), ("worker", "/spec/containers/2")], Apps.Regular.Select(c => (c.Name, c.Path)));
        Assert.Equal([("migrate", "/spec/initContainers/2")], Apps.Init.Select(c => (c.Name, c.Path)));
        Assert.Equal(["web", "worker", "migrate"], Apps.All.Select(c => c.Name));
        Assert.True(Apps.Init[0].Init);
        Assert.False(Apps.Regular[0].Init);
    }

    [Fact]
    public void No_names_select_the_regular_containers()
    {
        Assert.Equal(Apps.Regular, Apps.Select([], out var unknown));
        Assert.Empty(unknown);
    }

    [Fact]
    public void Names_select_regular_and_init_containers_and_report_the_others()
    {
        var selected = Apps.Select(["migrate", "worker", "ghost", "istio-proxy", "sidepool-reports-db"], out var unknown);

        Assert.Equal(["worker", "migrate"], selected.Select(c => c.Name));
        Assert.Equal(["ghost", "istio-proxy", "sidepool-reports-db"], unknown);
    }

    [Fact]
    public void A_container_is_its_path_and_knows_its_env_names_and_mount_paths()
    {
        var web = Apps.Regular[0];
        Assert.Equal(web, web with { Name = "other", Node = [] });
        Assert.NotEqual(web, Apps.Regular[1]);
        Assert.Equal(web.GetHashCode(), (web with { Init = true }).GetHashCode());

        Assert.Equal(["/data", "/cache"], web.MountPaths());
        Assert.Empty(web.EnvNames());
        Assert.Equal(["MODE"], Apps.Init[0].EnvNames());
    }
}
