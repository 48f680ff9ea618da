using SidePool.Contract;
using Xunit;

namespace SidePool.Core.Tests;

public sealed class PodObserverTests
{
    private static Pod Pod(string name, string? versionSecret, OwnerReference? owner = null, bool ready = true) => new()
    {
        Metadata = new ObjectMeta
        {
            Name = name,
            NamespaceProperty = "shop",
            Labels = new Dictionary<string, string> { ["app"] = "orders" },
            OwnerReferences = owner is null ? null : [owner],
            CreationTimestamp = TestData.Now.UtcDateTime,
        },
        Spec = new PodSpec
        {
            Containers = [new Container { Name = "app" }],
            Volumes = versionSecret is null ? null : [new Volume { Name = "cfg", Secret = new SecretVolumeSource { SecretName = versionSecret } }],
        },
        Status = new PodStatus
        {
            Conditions = [new PodCondition { Type = "Ready", Status = ready ? "True" : "False" }],
            InitContainerStatuses = ready ? null : [new ContainerStatus { Name = "sidepool-orders-db", State = new ContainerState { Waiting = new ContainerStateWaiting { Reason = "CrashLoopBackOff", Message = "back-off 5m" } } }],
        },
    };

    private static OwnerReference Owner(string kind, string name) => new() { ApiVersion = "apps/v1", Kind = kind, Name = name, Uid = name, Controller = true };

    [Fact]
    public void VersionComesFromTheMountedVersionSecret()
    {
        var observed = PodObserver.Observe("orders-db", Pod("p", "orders-db-" + TestData.V1), _ => null);
        Assert.Equal(TestData.V1, observed.Version);
        Assert.True(observed.Injected);
        Assert.Null(PodObserver.Observe("orders-db", Pod("p", null), _ => null).Version);
        Assert.Null(PodObserver.Observe("orders-db", Pod("p", "orders-db-key"), _ => null).Version);
    }

    [Fact]
    public void TheWebhookStampWinsOverTheMountedSecret()
    {
        var stamped = Pod("p", "orders-db-" + TestData.V1);
        stamped = stamped with
        {
            Metadata = stamped.Metadata! with { Labels = new Dictionary<string, string> { ["app"] = "orders", [VersionContract.Labels.PodPool("orders-db")] = "abcdef0123" } },
        };
        Assert.Equal("abcdef0123", PodObserver.Observe("orders-db", stamped, _ => null).Version);
        Assert.Equal("abcdef0123", PodObserver.Observe("orders-db", stamped with { Spec = stamped.Spec! with { Volumes = null } }, _ => null).Version);

        // Another pool's stamp is not this pool's version.
        Assert.Null(PodObserver.Observe("payments-db", stamped with { Spec = stamped.Spec! with { Volumes = null } }, _ => null).Version);
    }

    [Fact]
    public void SidecarProblemIsReadFromThisPoolsSidecarOnly()
    {
        var pod = Pod("p", "orders-db-" + TestData.V1, ready: false);
        Assert.Equal("CrashLoopBackOff", PodObserver.Observe("orders-db", pod, _ => null).SidecarReason);
        Assert.Null(PodObserver.Observe("payments-db", pod, _ => null).SidecarReason);
    }

    [Fact]
    public void OwnersAreResolvedThroughReplicaSetsToDeployments()
    {
        var rs = new ReplicaSet
        {
            Metadata = new ObjectMeta { Name = "web-abc", OwnerReferences = [Owner("Deployment", "web")] },
            Spec = new ReplicaSetSpec { Selector = new LabelSelector() },
        };
        Assert.Equal(new WorkloadRef("Deployment", "web"), PodObserver.Observe("orders-db", Pod("p", null, Owner("ReplicaSet", "web-abc")), n => n == "web-abc" ? rs : null).Owner);
        Assert.Equal(new WorkloadRef("ReplicaSet", "lonely"), PodObserver.Observe("orders-db", Pod("p", null, Owner("ReplicaSet", "lonely")), _ => null).Owner);
        Assert.Equal(new WorkloadRef("StatefulSet", "db"), PodObserver.Observe("orders-db", Pod("p", null, Owner("StatefulSet", "db")), _ => null).Owner);
        Assert.Equal(new WorkloadRef("Pod", "p"), PodObserver.Observe("orders-db", Pod("p", null), _ => null).Owner);
        Assert.False(new WorkloadRef("Job", "j").IsRestartable);
    }

    [Fact]
    public void SidecarProblemIsReadFromTheSidecarContainer()
    {
        var observed = PodObserver.Observe("orders-db", Pod("p", "orders-db-" + TestData.V1, ready: false), _ => null);
        Assert.False(observed.Ready);
        Assert.Equal("CrashLoopBackOff", observed.SidecarReason);
        Assert.Equal("back-off 5m", observed.SidecarMessage);
    }

    [Fact]
    public void OnlySelectedPodsAreObserved()
    {
        var other = Pod("other", null) with { Metadata = Pod("other", null).Metadata! with { Labels = new Dictionary<string, string> { ["app"] = "billing" } } };
        var observed = PodObserver.Observe("orders-db", TestData.Pool().Spec!.Selector, [Pod("mine", null), other], _ => null);
        Assert.Equal("mine", Assert.Single(observed).Name);
    }
}
