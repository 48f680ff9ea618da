using System.Text.Json.Nodes;
using SidePool.Core;
using Xunit;

namespace SidePool.Core.Tests;

public sealed class SidecarPlacementTests
{
    private static PodContract Contract(string pool, string mode, int port = 6432)
    {
        var settings = new InjectionOptions { SidecarMode = mode };
        var injection = TestPools.Pool(pool, TestPools.Spec(port: port), settings: settings);
        return PodContract.Build(injection.Inputs(settings), settings, $"{pool}-v", 9127);
    }

    private static List<string> Written(SidecarPlacement sidecars, string spec)
    {
        var patch = new PatchOperations();
        sidecars.WriteTo(patch, JsonNode.Parse(spec)!.AsObject());
        return [.. patch.Operations.Select(o => $"{o!["path"]!.GetValue<string>()} {(o["value"] is JsonArray a ? a.Count + " items" : o["value"]!["name"]!.GetValue<string>())}")];
    }

    private static SidecarPlacement TwoNative()
    {
        var sidecars = new SidecarPlacement();
        sidecars.Add(Contract("a", SidecarModes.Native));
        sidecars.Add(Contract("b", SidecarModes.Native, 6433));
        return sidecars;
    }

    [Fact]
    public void Native_sidecars_are_prepended_in_pool_order_and_volumes_appended()
    {
        Assert.Equal(
            ["/spec/volumes/- sidepool-a-config", "/spec/volumes/- sidepool-a-socket", "/spec/volumes/- sidepool-a-state", "/spec/volumes/- sidepool-b-config", "/spec/volumes/- sidepool-b-socket", "/spec/volumes/- sidepool-b-state",
             "/spec/initContainers/0 sidepool-b", "/spec/initContainers/0 sidepool-a"],
            Written(TwoNative(), """{ "volumes": [], "initContainers": [ { "name": "migrate" } ], "containers": [] }"""));
        Assert.Equal(["/spec/volumes 6 items", "/spec/initContainers 2 items"], Written(TwoNative(), """{ "containers": [] }"""));

        var names = TwoNative().VolumeNames;
        Assert.Equal(6, names.Count);
        Assert.Contains("sidepool-b-state", names);
    }

    [Fact]
    public void Classic_sidecars_are_appended_to_the_containers()
    {
        var sidecars = new SidecarPlacement();
        sidecars.Add(Contract("a", SidecarModes.Classic));
        sidecars.Add(Contract("b", SidecarModes.Native, 6433));

        var written = Written(sidecars, """{ "containers": [ { "name": "web" } ] }""");
        Assert.Equal(["/spec/volumes 6 items", "/spec/initContainers 1 items", "/spec/containers/- sidepool-a"], written);
    }

    [Fact]
    public void Nothing_added_writes_nothing()
    {
        Assert.Empty(Written(new SidecarPlacement(), """{ "initContainers": [], "containers": [] }"""));
    }
}
