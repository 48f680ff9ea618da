using System.Text.Json.Nodes;
using SidePool.Core;
using Xunit;

namespace SidePool.Core.Tests;

public sealed class InjectionPatchTests
{
    private static readonly InjectionOptions Settings = new();

    [Fact]
    public void Operations_go_app_containers_then_volumes_and_sidecars_then_grace_period_then_stamps()
    {
        var pod = TestPools.Pod();
        var inventory = PodInventory.Of(pod);
        var pool = TestPools.Pool("orders-db");
        var apps = AppContainers.Of(inventory, [pool]);
        var decision = Assert.IsType<PoolDecision.Inject>(PoolDecision.For(pool, inventory, apps, PortChoice.Start(inventory, [pool], 9127), new HashSet<string>(), Settings));
        var patch = new InjectionPatch(apps);

        Assert.Empty(patch.Add("orders-db", decision));
        Assert.Contains("sidepool-orders-db-config", patch.AddedVolumes);
        var paths = patch.Write(pod, inventory.Spec).Select(o => o!["path"]!.GetValue<string>()).ToList();

        Assert.Equal(
            [
                "/spec/containers/0/env", "/spec/containers/0/volumeMounts",
                "/spec/containers/1/env/-", "/spec/containers/1/env/-", "/spec/containers/1/env/-", "/spec/containers/1/env/-", "/spec/containers/1/env/-", "/spec/containers/1/volumeMounts",
                "/spec/volumes", "/spec/initContainers",
                "/spec/terminationGracePeriodSeconds",
                "/metadata/labels/pools.sidepool.dev~1orders-db", "/metadata/annotations",
            ],
            paths);
    }

    [Fact]
    public void Nothing_injected_gives_no_operations_not_even_stamps()
    {
        var pod = TestPools.Pod("\"terminationGracePeriodSeconds\": 1,");
        var inventory = PodInventory.Of(pod);

        Assert.Empty(new InjectionPatch(AppContainers.Of(inventory, [])).Write(pod, inventory.Spec));
    }
}
