using System.Text.Json.Nodes;
using SidePool.Kubernetes.FakeServer.Tests.Support;
using static SidePool.Kubernetes.FakeServer.Tests.Support.Workloads;

namespace SidePool.Kubernetes.FakeServer.Tests;

/// <summary>The StatefulSet controller with the pod lifecycle simulation: ordered creation, reverse-ordered rolling update.</summary>
public sealed class StatefulSetControllerTests
{
    [Fact]
    public async Task Pods_are_created_in_order_each_after_the_previous_is_ready_and_updated_from_the_highest_ordinal()
    {
        await using var server = await FakeApiServer.StartAsync(new FakeApiServerOptions
        {
            RunControllers = true,
            SimulatePodLifecycle = true,
            PodReadinessDelay = TimeSpan.FromMilliseconds(200),
        });
        using var api = new ApiClient(server);
        using var kubectl = new Kubectl(server, "default");
        using var watch = await api.WatchAsync($"{Pods}?watch=true&resourceVersion={server.CurrentResourceVersion}");
        await api.CreateAsync(StatefulSets, StatefulSet("pg", 3));

        var state = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        var added = new List<string>();
        while (added.Count < 3)
        {
            var e = (await watch.NextNonBookmarkAsync(TimeSpan.FromSeconds(30)))!;
            var pod = e["object"]!.AsObject();
            var name = pod["metadata"]!["name"]!.GetValue<string>();
            if (e["type"]!.GetValue<string>() == "ADDED")
            {
                var ordinal = int.Parse(name["pg-".Length..], System.Globalization.CultureInfo.InvariantCulture);
                Assert.Equal(added.Count, ordinal);
                if (ordinal > 0)
                {
                    Assert.True(Ready(state[$"pg-{ordinal - 1}"]), $"pg-{ordinal} was created before pg-{ordinal - 1} was ready");
                }

                added.Add(name);
                Assert.Equal(name, Label(pod, "statefulset.kubernetes.io/pod-name"));
                Assert.Equal(ordinal.ToString(System.Globalization.CultureInfo.InvariantCulture), Label(pod, "apps.kubernetes.io/pod-index"));
            }

            state[name] = pod;
        }

        Assert.Contains("partitioned roll out complete", await kubectl.RunOkAsync("rollout", "status", "statefulset/pg", "--timeout=60s"), StringComparison.Ordinal);
        var before = (await api.GetAsync($"{StatefulSets}/pg")).Body;
        var firstRevision = before["status"]!["updateRevision"]!.GetValue<string>();
        Assert.StartsWith("pg-", firstRevision, StringComparison.Ordinal);

        await api.PatchAsync($"{StatefulSets}/pg", "application/strategic-merge-patch+json", StampPatch("2"));
        var deleted = new List<string>();
        while (deleted.Count < 3)
        {
            var e = (await watch.NextNonBookmarkAsync(TimeSpan.FromSeconds(30)))!;
            var pod = e["object"]!.AsObject();
            var name = pod["metadata"]!["name"]!.GetValue<string>();
            if (e["type"]!.GetValue<string>() == "DELETED")
            {
                Assert.Equal(firstRevision, Label(pod, "controller-revision-hash"));
                deleted.Add(name);
            }
        }

        Assert.Equal(["pg-2", "pg-1", "pg-0"], deleted);
        var after = await Objects.EventuallyAsync(
            () => api.GetAsync($"{StatefulSets}/pg"),
            s => s.Body["status"]?["currentRevision"]?.GetValue<string>() is { } current && current != firstRevision && Status(s.Body, "readyReplicas") == 3,
            "the update revision to become current");
        var updateRevision = after.Body["status"]!["updateRevision"]!.GetValue<string>();
        Assert.Equal(3, Status(after.Body, "updatedReplicas"));
        Assert.Equal(3, Status(after.Body, "currentReplicas"));
        Assert.Equal(Objects.Generation(after.Body), Status(after.Body, "observedGeneration"));
        var pods = await PodsAsync(api, "app=pg");
        Assert.Equal(["pg-0", "pg-1", "pg-2"], pods.Select(p => p["metadata"]!["name"]!.GetValue<string>()).Order());
        Assert.All(pods, p => Assert.Equal(updateRevision, Label(p, "controller-revision-hash")));
        Assert.All(pods, p => Assert.Equal(p["metadata"]!["name"]!.GetValue<string>(), p["spec"]!["hostname"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Scaling_down_removes_the_highest_ordinals()
    {
        await using var server = await FakeApiServer.StartAsync(new FakeApiServerOptions { RunControllers = true, SimulatePodLifecycle = true });
        using var api = new ApiClient(server);
        using var kubectl = new Kubectl(server, "default");
        await api.CreateAsync(StatefulSets, StatefulSet("kv", 4));
        await Objects.EventuallyAsync(() => api.GetAsync($"{StatefulSets}/kv"), s => Status(s.Body, "readyReplicas") == 4, "four ready", TimeSpan.FromSeconds(30));

        Assert.Contains("statefulset.apps/kv scaled", await kubectl.RunOkAsync("scale", "statefulset", "kv", "--replicas=2"), StringComparison.Ordinal);

        var pods = await Objects.EventuallyAsync(() => PodsAsync(api, "app=kv"), p => p.Count == 2, "two pods", TimeSpan.FromSeconds(30));
        Assert.Equal(["kv-0", "kv-1"], pods.Select(p => p["metadata"]!["name"]!.GetValue<string>()).Order());
        await Objects.EventuallyAsync(() => api.GetAsync($"{StatefulSets}/kv"), s => Status(s.Body, "replicas") == 2 && Status(s.Body, "readyReplicas") == 2, "status of two");
    }
}
