using System.Net;
using System.Text.Json.Nodes;
using SidePool.Kubernetes.FakeServer.Tests.Support;
using static SidePool.Kubernetes.FakeServer.Tests.Support.Workloads;

namespace SidePool.Kubernetes.FakeServer.Tests;

/// <summary>The pod lifecycle SIMULATION (scheduler and kubelet stand-in): statuses, graceful deletion, test hooks.</summary>
public sealed class PodLifecycleSimulationTests
{
    [Fact]
    public async Task A_pod_is_bound_and_reported_running_and_ready_with_a_status_for_every_container()
    {
        await using var server = await FakeApiServer.StartAsync(new FakeApiServerOptions { SimulatePodLifecycle = true, PodReadinessDelay = TimeSpan.FromMilliseconds(300) });
        using var api = new ApiClient(server);
        var pod = WebhookConfigurations.Pod(name: "p");
        pod["spec"]!["initContainers"] = new JsonArray(
            new JsonObject { ["name"] = "migrate", ["image"] = "migrate:1" },
            new JsonObject { ["name"] = "pgbouncer", ["image"] = "pgbouncer:1.23", ["restartPolicy"] = "Always" });
        await api.CreateAsync(Pods, pod);

        var running = await Objects.EventuallyAsync(() => api.GetAsync($"{Pods}/p"), p => p.Body["status"]?["phase"]?.GetValue<string>() == "Running", "Running");
        var ready = await Objects.EventuallyAsync(() => api.GetAsync($"{Pods}/p"), p => Ready(p.Body), "Ready");

        Assert.Equal("fake-node", ready.Body["spec"]!["nodeName"]!.GetValue<string>());
        Assert.Equal("fake-node", server.Kubelet!.NodeName);
        Assert.False(Ready(running.Body) && running.Body["status"]!["containerStatuses"]![0]!["ready"]!.GetValue<bool>() == false);
        var init = ready.Body["status"]!["initContainerStatuses"]!.AsArray();
        Assert.Equal("Completed", init[0]!["state"]!["terminated"]!["reason"]!.GetValue<string>());
        Assert.False(init[0]!["started"]!.GetValue<bool>());
        Assert.True(init[1]!["started"]!.GetValue<bool>());
        Assert.True(init[1]!["ready"]!.GetValue<bool>());
        Assert.NotNull(init[1]!["state"]!["running"]);
        var app = Assert.Single(ready.Body["status"]!["containerStatuses"]!.AsArray())!;
        Assert.True(app["ready"]!.GetValue<bool>());
        Assert.True(app["started"]!.GetValue<bool>());
        Assert.Equal("app:1", app["image"]!.GetValue<string>());
        var node = await api.GetAsync("/api/v1/nodes/fake-node");
        Assert.Equal("True", node.Body["status"]!["conditions"]![0]!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Deleting_a_running_pod_marks_it_terminating_and_the_kubelet_removes_it_after_the_delay()
    {
        await using var server = await FakeApiServer.StartAsync(new FakeApiServerOptions { SimulatePodLifecycle = true, PodTerminationDelay = TimeSpan.FromSeconds(1) });
        using var api = new ApiClient(server);
        await api.CreateAsync(Pods, WebhookConfigurations.Pod(name: "p"));
        await Objects.EventuallyAsync(() => api.GetAsync($"{Pods}/p"), p => Ready(p.Body), "Ready");

        var deleting = await api.DeleteAsync($"{Pods}/p");

        Assert.Equal(HttpStatusCode.OK, deleting.Status);
        Assert.NotNull(deleting.Body["metadata"]!["deletionTimestamp"]);
        Assert.Equal(30, deleting.Body["metadata"]!["deletionGracePeriodSeconds"]!.GetValue<int>());
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync($"{Pods}/p")).Status);
        await Objects.EventuallyAsync(() => api.GetAsync($"{Pods}/p"), p => p.Status == HttpStatusCode.NotFound, "the kubelet to remove the pod");

        await api.CreateAsync(Pods, WebhookConfigurations.Pod(name: "q"));
        await Objects.EventuallyAsync(() => api.GetAsync($"{Pods}/q"), p => p.Body["spec"]?["nodeName"] is not null, "bound");
        var immediate = await api.DeleteAsync($"{Pods}/q", new JsonObject { ["gracePeriodSeconds"] = 0 });
        Assert.Equal(HttpStatusCode.OK, immediate.Status);
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync($"{Pods}/q")).Status);
    }

    [Fact]
    public async Task A_failed_pod_is_replaced_by_its_replica_set()
    {
        await using var server = await FakeApiServer.StartAsync(new FakeApiServerOptions { SimulatePodLifecycle = true, RunControllers = true });
        using var api = new ApiClient(server);
        await api.CreateAsync(Deployments, Deployment("w", 1));
        await RolledOutAsync(api, "w", 1);
        var victim = (await PodsAsync(api, "app=w")).Single()["metadata"]!["name"]!.GetValue<string>();

        server.Kubelet!.FailPod("default", victim);

        var failed = await Objects.EventuallyAsync(() => api.GetAsync($"{Pods}/{victim}"), p => p.Body["status"]?["phase"]?.GetValue<string>() == "Failed", "Failed");
        Assert.Equal(1, failed.Body["status"]!["containerStatuses"]![0]!["state"]!["terminated"]!["exitCode"]!.GetValue<int>());
        var pods = await Objects.EventuallyAsync(() => PodsAsync(api, "app=w"), p => p.Any(x => Ready(x) && x["metadata"]!["name"]!.GetValue<string>() != victim), "a ready replacement");
        Assert.Contains(pods, p => p["metadata"]!["name"]!.GetValue<string>() == victim);
        await RolledOutAsync(api, "w", 1);
    }

    [Fact]
    public async Task Without_the_simulation_pods_stay_pending_and_are_deleted_at_once()
    {
        await using var server = await FakeApiServer.StartAsync();
        using var api = new ApiClient(server);
        await api.CreateAsync(Pods, WebhookConfigurations.Pod(name: "p"));
        var pod = await api.GetAsync($"{Pods}/p");
        Assert.Equal("Pending", pod.Body["status"]!["phase"]!.GetValue<string>());
        Assert.Null(pod.Body["spec"]!["nodeName"]);
        Assert.Null(server.Kubelet);
        Assert.Empty((await api.GetAsync("/api/v1/nodes")).Body["items"]!.AsArray());
        await api.DeleteAsync($"{Pods}/p");
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync($"{Pods}/p")).Status);
    }
}
