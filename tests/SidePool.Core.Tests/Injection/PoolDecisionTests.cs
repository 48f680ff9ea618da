using System.Text.Json.Nodes;
using SidePool.Core;
using Xunit;

namespace SidePool.Core.Tests;

public sealed class PoolDecisionTests
{
    private static readonly InjectionOptions Settings = new();

    private static PoolDecision Decide(string spec, PoolInjection pool, IReadOnlySet<string>? addedVolumes = null, IReadOnlyList<PoolInjection>? others = null)
    {
        var pod = PodInventory.Of(new JsonObject { ["spec"] = JsonNode.Parse(spec) });
        var pools = PoolInjection.OldestFirst([pool, .. others ?? []]);
        return PoolDecision.For(pool, pod, AppContainers.Of(pod, pools), PortChoice.Start(pod, pools, Settings.AgentPort), addedVolumes ?? new HashSet<string>(), Settings);
    }

    private static PoolDecision.Skip Skipped(PoolDecision decision, PoolInjectionStatus status)
    {
        var skip = Assert.IsType<PoolDecision.Skip>(decision);
        Assert.Equal(status, skip.Outcome.Status);
        return skip;
    }

    [Fact]
    public void A_pod_with_the_sidecar_is_already_injected_before_any_other_check()
    {
        var pool = TestPools.Pool("orders-db");
        var decision = Decide("""{ "hostNetwork": true, "containers": [ { "name": "sidepool-orders-db", "ports": [ { "containerPort": 6432 } ] } ] }""", pool);

        var skip = Skipped(decision, PoolInjectionStatus.AlreadyInjected);
        Assert.Equal(new PoolOutcome("orders-db", PoolInjectionStatus.AlreadyInjected, pool.Rendered.ShortVersion), skip.Outcome);
        Assert.Empty(skip.Warnings);
        Assert.Null(skip.Conflict);
    }

    [Fact]
    public void Trust_on_host_network_is_refused_before_the_port_checks()
    {
        var skip = Skipped(Decide("""{ "hostNetwork": true, "containers": [ { "name": "web", "ports": [ { "containerPort": 6432 } ] } ] }""", TestPools.Pool("orders-db")), PoolInjectionStatus.RefusedHostNetwork);

        Assert.Contains("clientAuth trust is refused for hostNetwork pods", Assert.Single(skip.Warnings), StringComparison.Ordinal);
        Assert.Null(skip.Conflict);
    }

    [Fact]
    public void A_port_the_pod_declares_comes_before_an_older_pool_holding_it()
    {
        var pool = TestPools.Pool("reports-db", TestPools.Spec(clientAuth: "scram"), TestPools.Old.AddDays(1));
        var older = TestPools.Pool("orders-db");
        var skip = Skipped(
            Decide("""{ "hostNetwork": true, "containers": [ { "name": "sidepool-orders-db" }, { "name": "web", "ports": [ { "containerPort": 6432 } ] } ] }""", pool, others: [older]),
            PoolInjectionStatus.PortInUse);

        Assert.Equal(new PortConflict("reports-db", "container web", 6432), skip.Conflict);
        Assert.Equal("sidepool: pool reports-db not injected: container web already declares port 6432 (containerPort, hostNetwork); give the pool another sidecar.port", Assert.Single(skip.Warnings));
    }

    [Fact]
    public void An_older_pool_in_the_pod_holds_its_port()
    {
        var pool = TestPools.Pool("reports-db", created: TestPools.Old.AddDays(1));
        var skip = Skipped(Decide("""{ "containers": [ { "name": "sidepool-orders-db" } ] }""", pool, others: [TestPools.Pool("orders-db")]), PoolInjectionStatus.PortConflict);

        Assert.Equal(new PortConflict("reports-db", "orders-db", 6432), skip.Conflict);
        Assert.Equal("sidepool: pool reports-db not injected: port 6432 is taken by the older pool orders-db", Assert.Single(skip.Warnings));
    }

    [Fact]
    public void An_unknown_sidecar_mode_throws_only_when_the_pool_gets_that_far()
    {
        var pool = TestPools.Pool("orders-db") with { SidecarMode = "auto" };

        var error = Assert.Throws<ArgumentException>(() => Decide("""{ "containers": [] }""", pool));
        Assert.Equal("pools", error.ParamName);
        Skipped(Decide("""{ "hostNetwork": true, "containers": [] }""", pool), PoolInjectionStatus.RefusedHostNetwork);
    }

    [Fact]
    public void Volume_names_of_the_pod_or_of_earlier_pools_and_mount_paths_of_selected_containers_are_in_use()
    {
        var pool = TestPools.Pool("orders-db");
        const string containers = """ "containers": [ { "name": "web", "volumeMounts": [ { "name": "x", "mountPath": "/var/run/sidepool/orders-db/" } ] } ] """;

        var byPod = Skipped(Decide($$"""{ "volumes": [ { "name": "sidepool-orders-db-state" } ], {{containers}} }""", pool), PoolInjectionStatus.NameInUse);
        Assert.Equal("sidepool: pool orders-db not injected: the pod already uses the volume or mount path sidepool-orders-db-state", Assert.Single(byPod.Warnings));

        var byEarlierPool = Skipped(Decide("""{ "containers": [] }""", pool, new HashSet<string> { "sidepool-orders-db-config" }), PoolInjectionStatus.NameInUse);
        Assert.EndsWith("path sidepool-orders-db-config", Assert.Single(byEarlierPool.Warnings), StringComparison.Ordinal);

        var byMount = Skipped(Decide($$"""{ {{containers}} }""", pool), PoolInjectionStatus.NameInUse);
        Assert.EndsWith("path /var/run/sidepool/orders-db", Assert.Single(byMount.Warnings), StringComparison.Ordinal);

        var spec = TestPools.Spec();
        spec.Injection.Containers = ["worker", "ghost"];
        var notSelected = Decide($$"""{ "containers": [ { "name": "worker" }, { "name": "web", "volumeMounts": [ { "name": "x", "mountPath": "/var/run/sidepool/orders-db" } ] } ] }""", TestPools.Pool("orders-db", spec));
        var inject = Assert.IsType<PoolDecision.Inject>(notSelected);
        Assert.Equal(["sidepool: pool orders-db: spec.injection.containers names ghost, which this pod does not have"], inject.Warnings);
    }

    [Fact]
    public void An_injected_pool_gets_its_contract_for_the_next_free_agent_port_and_its_app_containers()
    {
        var pool = TestPools.Pool("orders-db");
        var decision = Decide("""{ "containers": [ { "name": "web", "ports": [ { "containerPort": 9127 } ] }, { "name": "worker" } ] }""", pool);

        var inject = Assert.IsType<PoolDecision.Inject>(decision);
        Assert.Equal(new PoolOutcome("orders-db", PoolInjectionStatus.Injected, pool.Rendered.ShortVersion), inject.Outcome);
        Assert.Empty(inject.Warnings);
        Assert.Equal(9128, inject.AgentPort);
        Assert.Equal(9128, inject.Contract.Sidecar["ports"]![0]!["containerPort"]!.GetValue<int>());
        Assert.Equal(SidecarModes.Native, inject.Contract.SidecarMode);
        Assert.Equal(["web", "worker"], inject.Containers.Select(c => c.Name));
    }
}
