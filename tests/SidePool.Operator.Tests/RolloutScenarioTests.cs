using System.Text.Json.Nodes;
using SidePool.Api;
using SidePool.Core;
using SidePool.Kubernetes.Client;
using SidePool.Kubernetes.FakeServer;
using SidePool.Operator.Controller;
using SidePool.Operator.Tests.Support;
using Xunit;

namespace SidePool.Operator.Tests;

public sealed class RolloutScenarioTests
{
    private const string Ns = "default";

    private static string Condition(ConnectionPool pool, string type) => pool.Status?.Conditions?.FirstOrDefault(c => c.Type == type)?.Status ?? "";

    private static string Reason(ConnectionPool pool, string type) => pool.Status?.Conditions?.FirstOrDefault(c => c.Type == type)?.Reason ?? "";

    /// <summary>Pool with a Deployment of two v1 pods; returns v1.</summary>
    private static async Task<(string V1, Deployment Deployment)> SetUpAsync(OperatorHarness h, string name = "orders", Action<ConnectionPoolSpec>? change = null)
    {
        await h.CreateCredentialsAsync(Ns, name + "-creds", "app", "pw");
        await h.Pools.CreateAsync(OperatorHarness.Pool(Ns, name, "web", change));
        var pool = await h.PoolWhenAsync(Ns, name, p => p.Status?.CurrentVersion is not null, "v1");
        var v1 = pool.Status!.CurrentVersion!;
        var (deployment, rs) = await h.CreateDeploymentAsync(Ns, "web", "web");
        await h.CreatePodAsync(Ns, "web-1-a", "web", rs, name, v1);
        await h.CreatePodAsync(Ns, "web-1-b", "web", rs, name, v1);
        await h.PoolWhenAsync(Ns, name, p => p.Status?.Targets?.Injected == 2, "2 pods");
        return (v1, deployment);
    }

    /// <summary>The end state every path must reach: v2 current with 2 ready pods, v1 retired and its Secret gone, one stamp.</summary>
    private static async Task AssertEndStateAsync(OperatorHarness h, string v1, string v2)
    {
        var pool = await h.PoolWhenAsync(Ns, "orders", p => p.Status?.Versions?.Any(v => v.Version == v1 && v.State == VersionStates.Retired) == true && Condition(p, "Progressing") == "False" && p.Status.Versions![0].ReadyPods == 2, "end state", TimeSpan.FromSeconds(60));
        Assert.Equal(v2, pool.Status!.CurrentVersion);
        Assert.Equal([v2, v1], pool.Status.Versions!.Select(v => v.Version));
        Assert.Equal(new TargetsStatus { Workloads = 1, Pods = 2, Injected = 2, Outdated = 0, Missing = 0 }, pool.Status.Targets);
        Assert.Equal("True", Condition(pool, "Ready"));
        var secrets = await OperatorHarness.EventuallyAsync(() => h.PoolSecretsAsync(Ns, "orders"), s => s.Count == 3, TimeSpan.FromSeconds(30), "v1 Secret deleted");
        Assert.Equal(new[] { "orders-" + v2, "orders-client", "orders-key" }.Order(StringComparer.Ordinal), secrets.Select(s => s.Metadata!.Name!).Order(StringComparer.Ordinal));
        Assert.Equal(v2, (await h.Deployments.GetAsync("web", Ns)).Spec!.Template.Metadata!.Annotations!["sidepool.dev/version-orders"]);
    }

    private static async Task<string> ChangePortAsync(OperatorHarness h, string v1)
    {
        await h.PatchPoolAsync(Ns, "orders", new JsonObject { ["sidecar"] = new JsonObject { ["port"] = 7432 } });
        var pool = await h.PoolWhenAsync(Ns, "orders", p => p.Status?.CurrentVersion is { } c && c != v1, "v2", TimeSpan.FromSeconds(60));
        return pool.Status!.CurrentVersion!;
    }

    private static async Task DeleteQuietlyAsync(OperatorHarness h, string pod)
    {
        try
        {
            await h.Pods.DeleteAsync(pod, Ns);
        }
        catch (Kubernetes.Errors.KubernetesApiException)
        {
        }
    }

    private static async Task ReplacePodsAsync(OperatorHarness h, Deployment deployment, string v2)
    {
        var rs2 = await OperatorHarness.EventuallyAsync(
            async () => await h.Client.Resource(KubernetesResources.ReplicaSets).TryGetAsync("web-2", Ns) ?? await h.CreateReplicaSetAsync(deployment, "2"), _ => true, what: "rs 2");
        await OperatorHarness.EventuallyAsync(() => h.CreatePodAsync(Ns, "web-2-a", "web", rs2, "orders", v2), _ => true, what: "pod a");
        await OperatorHarness.EventuallyAsync(() => h.CreatePodAsync(Ns, "web-2-b", "web", rs2, "orders", v2), _ => true, what: "pod b");
        await OperatorHarness.EventuallyAsync(() => h.Pods.TryGetAsync("web-1-a", Ns), p => p is null, what: "delete a", onEach: () => DeleteQuietlyAsync(h, "web-1-a"));
        await OperatorHarness.EventuallyAsync(() => h.Pods.TryGetAsync("web-1-b", Ns), p => p is null, what: "delete b", onEach: () => DeleteQuietlyAsync(h, "web-1-b"));
    }

    [Fact]
    public async Task OperatorRestartedMidRolloutReachesTheSameEndStateWithoutDuplicateVersions()
    {
        await using var h = await OperatorHarness.StartAsync();
        var (v1, deployment) = await SetUpAsync(h);
        var v2 = await ChangePortAsync(h, v1);
        await OperatorHarness.EventuallyAsync(() => h.Deployments.GetAsync("web", Ns), d => d.Spec!.Template.Metadata!.Annotations?.ContainsKey("sidepool.dev/version-orders") == true, what: "stamp");
        var stampedRv = (await h.Deployments.GetAsync("web", Ns)).Metadata!.ResourceVersion;

        // A new operator with empty caches takes over in the middle of the rollout.
        await h.StopControllerAsync();
        var rs2 = await h.CreateReplicaSetAsync(deployment, "2");
        await h.CreatePodAsync(Ns, "web-2-a", "web", rs2, "orders", v2);
        await h.Pods.DeleteAsync("web-1-a", Ns);
        h.StartController();

        var pool = await h.PoolWhenAsync(Ns, "orders", p => p.Status!.Versions!.Any(v => v.Version == v1 && v.Pods == 1), "restart picked up");
        Assert.Equal(2, pool.Status!.Versions!.Count);
        Assert.Equal(4, (await h.PoolSecretsAsync(Ns, "orders")).Count);
        Assert.Equal(stampedRv, (await h.Deployments.GetAsync("web", Ns)).Metadata!.ResourceVersion); // not stamped twice

        await h.CreatePodAsync(Ns, "web-2-b", "web", rs2, "orders", v2);
        await h.Pods.DeleteAsync("web-1-b", Ns);
        await AssertEndStateAsync(h, v1, v2);
    }

    [Fact]
    public async Task InjectedConflictsServerErrorsAndDroppedWatchesReachTheSameEndState()
    {
        await using var h = await OperatorHarness.StartAsync();
        var (v1, deployment) = await SetUpAsync(h);

        h.Server.Faults.DropWatchesAfter(3);
        h.Server.Faults.SetErrorRate(0.3, 409, 500);
        var v2 = await OperatorHarness.EventuallyAsync(() => ChangePortAsync(h, v1), _ => true, TimeSpan.FromSeconds(60), "v2 under faults");
        // The Deployment controller's part starts once the operator stamped the template (it stamps only after v2 is published).
        await OperatorHarness.EventuallyAsync(() => h.Deployments.GetAsync("web", Ns), d => d.Spec!.Template.Metadata!.Annotations?.GetValueOrDefault("sidepool.dev/version-orders") == v2, TimeSpan.FromSeconds(60), "stamp under faults");
        await ReplacePodsAsync(h, deployment, v2);
        await Task.Delay(2000);
        Assert.True(h.Server.Faults.InjectedErrors > 0);
        Assert.True(h.Server.Faults.DroppedWatches > 0);
        h.Server.Faults.Clear();

        await AssertEndStateAsync(h, v1, v2);
        Assert.True(h.Controller!.Statistics!.Conflicts + h.Controller.Statistics.Failures > 0);
    }

    [Fact]
    public async Task PodsWithoutTheSidecarAreMissingAndTheirWorkloadsRepaired()
    {
        await using var h = await OperatorHarness.StartAsync();
        await h.CreateCredentialsAsync(Ns, "orders-creds", "app", "pw");
        await h.Pools.CreateAsync(OperatorHarness.Pool(Ns, "orders", "web"));
        var pool = await h.PoolWhenAsync(Ns, "orders", p => p.Status?.CurrentVersion is not null, "v1");
        var (_, rs) = await h.CreateDeploymentAsync(Ns, "web", "web");
        await h.CreatePodAsync(Ns, "web-naked", "web", rs, pool: null, version: null);

        pool = await h.PoolWhenAsync(Ns, "orders", p => p.Status?.Targets?.Missing == 1, "missing");
        Assert.Equal(("True", "SidecarMissing"), (Condition(pool, "Degraded"), Reason(pool, "Degraded")));
        Assert.Contains("web-naked", pool.Status!.Conditions!.Single(c => c.Type == "Degraded").Message, StringComparison.Ordinal);
        await Task.Delay(500);
        Assert.Null((await h.Deployments.GetAsync("web", Ns)).Spec!.Template.Metadata!.Annotations); // repairMissing is off

        await h.PatchPoolAsync(Ns, "orders", new JsonObject { ["rollout"] = new JsonObject { ["repairMissing"] = true } });
        var repaired = await OperatorHarness.EventuallyAsync(() => h.Deployments.GetAsync("web", Ns), d => d.Spec!.Template.Metadata!.Annotations?.ContainsKey("sidepool.dev/repair-orders") == true, what: "repair stamp");
        Assert.NotNull(repaired);
        var events = await OperatorHarness.EventuallyAsync(() => h.EventsAsync(Ns), e => e.Any(x => x.Reason == "RepairStarted"), what: "repair event");
        Assert.Contains(events, e => e.Reason == "RepairStarted");
    }

    [Fact]
    public async Task AStalledRolloutIsDegradedWithTheSidecarsReason()
    {
        await using var h = await OperatorHarness.StartAsync(new PoolControllerOptions { SidecarMode = "native", RecheckInterval = TimeSpan.FromMilliseconds(300), StallTimeout = TimeSpan.FromSeconds(1) });
        var (v1, deployment) = await SetUpAsync(h);
        var v2 = await ChangePortAsync(h, v1);
        var rs2 = await h.CreateReplicaSetAsync(deployment, "2");
        await h.CreatePodAsync(Ns, "web-2-a", "web", rs2, "orders", v2, ready: false, sidecarWaiting: new ContainerStateWaiting { Reason = "CrashLoopBackOff", Message = "back-off 40s restarting failed container" });

        // The pod is created, then its status is written (two requests, as a kubelet does): a stall seen in between has no
        // sidecar reason yet (Degraded RolloutStalled). Wait for the one the kubelet reported.
        var pool = await h.PoolWhenAsync(Ns, "orders", p => Condition(p, "Degraded") == "True" && Reason(p, "Degraded") == "CrashLoopBackOff", "stalled with the sidecar's reason", TimeSpan.FromSeconds(20));
        Assert.Equal(("False", "RolloutStalled"), (Condition(pool, "Progressing"), Reason(pool, "Progressing")));
        Assert.Contains("back-off 40s", pool.Status!.Conditions!.Single(c => c.Type == "Degraded").Message, StringComparison.Ordinal);
        Assert.Equal("False", Condition(pool, "Ready"));
    }

    [Fact]
    public async Task JobsAndBarePodsAreReportedNotRestartedAndStrategyNoneStampsNothing()
    {
        await using var h = await OperatorHarness.StartAsync();
        await h.CreateCredentialsAsync(Ns, "orders-creds", "app", "pw");
        await h.Pools.CreateAsync(OperatorHarness.Pool(Ns, "orders", "web", s => s.Rollout.Strategy = "None"));
        var v1 = (await h.PoolWhenAsync(Ns, "orders", p => p.Status?.CurrentVersion is not null, "v1")).Status!.CurrentVersion!;
        var (_, rs) = await h.CreateDeploymentAsync(Ns, "web", "web");
        var job = await h.Client.Resource(KubernetesResources.Jobs).CreateAsync(new Job
        {
            Metadata = new ObjectMeta { Name = "migrate", NamespaceProperty = Ns },
            Spec = new JobSpec { Template = new PodTemplateSpec { Spec = new PodSpec { Containers = [new Container { Name = "m", Image = "x" }], RestartPolicy = "Never" } } },
        });
        await h.CreatePodAsync(Ns, "web-1-a", "web", rs, "orders", v1);
        await h.CreatePodAsync(Ns, "migrate-x", "web", job, "orders", v1);
        await h.CreatePodAsync(Ns, "bare", "web", null, "orders", v1);
        await h.PoolWhenAsync(Ns, "orders", p => p.Status?.Targets?.Injected == 3, "3 pods");

        await h.PatchPoolAsync(Ns, "orders", new JsonObject { ["sidecar"] = new JsonObject { ["port"] = 7432 } });
        var pool = await h.PoolWhenAsync(Ns, "orders", p => p.Status?.CurrentVersion != v1 && p.Status?.Targets?.Outdated == 3, "v2");
        Assert.Equal(("False", "WaitingForNewPods"), (Condition(pool, "Progressing"), Reason(pool, "Progressing")));
        Assert.Null((await h.Deployments.GetAsync("web", Ns)).Spec!.Template.Metadata!.Annotations);

        // Workload strategy: the Deployment is stamped; the Job and the bare pod are only reported.
        await h.PatchPoolAsync(Ns, "orders", new JsonObject { ["rollout"] = new JsonObject { ["strategy"] = "Workload" } });
        pool = await h.PoolWhenAsync(Ns, "orders", p => Reason(p, "Progressing") == "RollingOut", "rolling");
        var message = pool.Status!.Conditions!.Single(c => c.Type == "Progressing").Message;
        Assert.Contains("Job/migrate", message, StringComparison.Ordinal);
        Assert.Contains("Pod/bare", message, StringComparison.Ordinal);
        await OperatorHarness.EventuallyAsync(() => h.Deployments.GetAsync("web", Ns), d => d.Spec!.Template.Metadata!.Annotations?.ContainsKey("sidepool.dev/version-orders") == true, what: "stamp");
        Assert.Null((await h.Client.Resource(KubernetesResources.Jobs).GetAsync("migrate", Ns)).Spec!.Template.Metadata?.Annotations);
    }

    [Fact]
    public async Task PoolsClashingOnTheSamePodsReportAConflict()
    {
        await using var h = await OperatorHarness.StartAsync();
        var (v1, _) = await SetUpAsync(h);
        await h.CreateCredentialsAsync(Ns, "shadow-creds", "app", "pw");
        await h.Pools.CreateAsync(OperatorHarness.Pool(Ns, "shadow", "web"));
        var pool = await h.PoolWhenAsync(Ns, "orders", p => Condition(p, "Conflict") == "True", "conflict");
        Assert.Contains("shadow", pool.Status!.Conditions!.Single(c => c.Type == "Conflict").Message, StringComparison.Ordinal);
        Assert.Equal(v1, pool.Status.CurrentVersion);
        var events = await OperatorHarness.EventuallyAsync(() => h.EventsAsync(Ns), e => e.Any(x => x.Reason == "Conflict"), what: "conflict event");
        Assert.Contains(events, e => e.Reason == "Conflict" && e.Type == "Warning");
    }

    [Fact]
    public async Task BudgetExceededIsAConditionAndAnEvent()
    {
        await using var h = await OperatorHarness.StartAsync();
        await SetUpAsync(h, change: s => s.Backend!.MaxConnections = 15);
        var pool = await h.PoolWhenAsync(Ns, "orders", p => Condition(p, "BudgetExceeded") == "True", "over budget");
        // the pods have no address the operator can reach and were created within BudgetFreshPodMargin of its start:
        // managed pods that have not answered, at their worst case (docs/budget.md)
        Assert.Equal(new ServerConnectionsStatus { PerPod = 10, Pods = 2, Total = 20, Budget = 15, Share = 5, PlannedPods = 3, Admitted = 0, Pending = 2, Unmanaged = 0 }, pool.Status!.ServerConnections);
        Assert.Equal("OverBudget", pool.Status.Conditions!.Single(c => c.Type == "BudgetExceeded").Reason);
        await OperatorHarness.EventuallyAsync(() => h.EventsAsync(Ns), e => e.Any(x => x.Reason == "BudgetExceeded"), what: "budget event");
    }
}
