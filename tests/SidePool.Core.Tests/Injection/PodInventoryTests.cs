using System.Text.Json.Nodes;
using SidePool.Core;
using Xunit;

namespace SidePool.Core.Tests;

public sealed class PodInventoryTests
{
    private static JsonObject Pod(string spec) => new() { ["spec"] = JsonNode.Parse(spec) };

    [Fact]
    public void Names_of_containers_init_containers_and_volumes_are_read_once()
    {
        var pod = PodInventory.Of(Pod("""
            {
              "initContainers": [ { "name": "sidepool-orders-db", "restartPolicy": "Always" }, { "image": "no-name" } ],
              "containers": [ { "name": "web" }, { "name": 7 } ],
              "volumes": [ { "name": "data" }, { "emptyDir": {} } ]
            }
            """));

        Assert.Equal(["sidepool-orders-db", "web"], pod.ContainerNames.Order(StringComparer.Ordinal));
        Assert.Equal(["data"], pod.VolumeNames);
        Assert.True(pod.HasSidecarOf("orders-db"));
        Assert.False(pod.HasSidecarOf("web"));
        Assert.Equal(2, pod.Containers.Count);
        Assert.Equal(2, pod.InitContainers.Count);
    }

    [Fact]
    public void Declared_ports_are_container_and_host_ports_of_containers_then_init_containers()
    {
        var pod = PodInventory.Of(Pod("""
            {
              "initContainers": [ { "ports": [ { "containerPort": 5000 } ] } ],
              "containers": [
                { "name": "web", "ports": [ { "containerPort": 8080, "hostPort": 80 }, { "containerPort": "8081" }, { "containerPort": 0 } ] }
              ]
            }
            """));

        Assert.Equal(
            [new DeclaredPort(8080, "web", "containerPort"), new DeclaredPort(80, "web", "hostPort"), new DeclaredPort(5000, "(unnamed)", "containerPort")],
            pod.DeclaredPorts);
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("false", false)]
    [InlineData("\"true\"", false)]
    public void Host_network_is_only_a_json_true(string value, bool expected)
    {
        Assert.Equal(expected, PodInventory.Of(Pod($$"""{ "hostNetwork": {{value}}, "containers": [] }""")).HostNetwork);
        Assert.False(PodInventory.Of(Pod("""{ "containers": [] }""")).HostNetwork);
    }

    [Fact]
    public void A_pod_without_spec_or_arrays()
    {
        Assert.Throws<ArgumentException>(() => PodInventory.Of(new JsonObject { ["metadata"] = new JsonObject() }));

        var empty = PodInventory.Of(Pod("{}"));
        Assert.Empty(empty.Containers);
        Assert.Empty(empty.InitContainers);
        Assert.Empty(empty.ContainerNames);
        Assert.Empty(empty.VolumeNames);
        Assert.Empty(empty.DeclaredPorts);
    }
}
