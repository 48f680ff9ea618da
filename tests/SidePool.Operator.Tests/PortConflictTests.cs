using SidePool.Operator.Tests.Support;
using Xunit;

namespace SidePool.Operator.Tests;

/// <summary>Issue 9, item 6: a pod that declares the sidecar's port gets no sidecar, and the pool says why.</summary>
public sealed class PortConflictTests
{
    private const string Ns = "default";

    [Fact]
    public async Task Pods_declaring_the_sidecar_port_are_a_conflict_not_a_missing_sidecar()
    {
        await using var h = await OperatorHarness.StartAsync();
        await h.CreateCredentialsAsync(Ns, "orders-creds", "app", "pw");
        await h.Pools.CreateAsync(OperatorHarness.Pool(Ns, "orders", "web", s => s.Rollout.RepairMissing = true));
        await h.PoolWhenAsync(Ns, "orders", p => p.Status?.CurrentVersion is not null, "v1");
        var (_, rs) = await h.CreateDeploymentAsync(Ns, "web", "web");
        await h.Pods.CreateAsync(new Pod
        {
            Metadata = new ObjectMeta
            {
                Name = "web-own-pooler",
                NamespaceProperty = Ns,
                Labels = new Dictionary<string, string> { ["app"] = "web" },
                OwnerReferences = [new OwnerReference { ApiVersion = "apps/v1", Kind = "ReplicaSet", Name = rs.Metadata!.Name!, Uid = rs.Metadata.Uid!, Controller = true }],
            },
            Spec = new PodSpec { Containers = [new Container { Name = "app", Image = "example/app:1", Ports = [new ContainerPort { ContainerPort = 6432 }] }] },
        });

        var pool = await h.PoolWhenAsync(Ns, "orders", p => p.Status?.Conditions?.Any(c => c.Type == "Conflict" && c.Status == "True") == true, "conflict");
        var conflict = pool.Status!.Conditions!.Single(c => c.Type == "Conflict");
        Assert.Equal("PortInUse", conflict.Reason);
        Assert.Contains("web-own-pooler", conflict.Message, StringComparison.Ordinal);
        Assert.Contains("6432", conflict.Message, StringComparison.Ordinal);
        Assert.Equal("PortInUse", pool.Status.Conditions!.Single(c => c.Type == "Ready").Reason);
        Assert.NotEqual("SidecarMissing", pool.Status.Conditions!.Single(c => c.Type == "Degraded").Reason);

        // A restart would not help: the workload is not repaired for it.
        await Task.Delay(1000);
        Assert.Null((await h.Deployments.GetAsync("web", Ns)).Spec!.Template.Metadata!.Annotations);
    }
}
