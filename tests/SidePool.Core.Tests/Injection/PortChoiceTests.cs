using System.Text.Json.Nodes;
using SidePool.Core;
using Xunit;

namespace SidePool.Core.Tests;

public sealed class PortChoiceTests
{
    private static PodInventory Pod(string spec) => PodInventory.Of(new JsonObject { ["spec"] = JsonNode.Parse(spec) });

    [Fact]
    public void Ports_the_pod_declares_are_taken_by_their_first_container()
    {
        var ports = PortChoice.Start(
            Pod("""{ "containers": [ { "name": "web", "ports": [ { "containerPort": 6432 } ] }, { "name": "db", "ports": [ { "containerPort": 6432 } ] } ] }"""),
            [],
            9127);

        Assert.Equal(new DeclaredPort(6432, "web", "containerPort"), ports.DeclaredBy(6432));
        Assert.Null(ports.DeclaredBy(6433));
        Assert.Null(ports.OwnerOf(6432));
    }

    [Fact]
    public void Sidecars_already_in_the_pod_keep_their_ports_the_oldest_first()
    {
        var older = TestPools.Pool("b-pool", created: TestPools.Old);
        var younger = TestPools.Pool("a-pool", created: TestPools.Old.AddDays(1));
        var absent = TestPools.Pool("c-pool", TestPools.Spec(port: 7000));
        var pod = Pod("""{ "containers": [ { "name": "sidepool-a-pool" }, { "name": "sidepool-b-pool" } ] }""");

        var ports = PortChoice.Start(pod, PoolInjection.OldestFirst([younger, older, absent]), 9127);

        Assert.Equal("b-pool", ports.OwnerOf(6432));
        Assert.Null(ports.OwnerOf(7000));
    }

    [Fact]
    public void Agent_ports_count_up_past_ports_in_use_pool_ports_and_claimed_ones()
    {
        var pools = new[] { TestPools.Pool("orders-db", TestPools.Spec(port: 9128)), TestPools.Pool("reports-db", TestPools.Spec(port: 9131)) };
        var ports = PortChoice.Start(Pod("""{ "containers": [ { "name": "web", "ports": [ { "containerPort": 9127 } ] } ] }"""), pools, 9127);

        Assert.Equal(9129, ports.NextAgentPort());
        Assert.Equal(9129, ports.NextAgentPort()); // only a claim takes it

        ports.Claim("orders-db", 9128, 9129);
        Assert.Equal("orders-db", ports.OwnerOf(9128));
        Assert.Equal(9130, ports.NextAgentPort());

        ports.Claim("reports-db", 9131, 9130);
        Assert.Equal(9132, ports.NextAgentPort());
    }

    [Fact]
    public void The_first_agent_port_is_the_options_one_when_free()
    {
        Assert.Equal(19000, PortChoice.Start(Pod("""{ "containers": [] }"""), [TestPools.Pool("orders-db")], 19000).NextAgentPort());
    }
}
