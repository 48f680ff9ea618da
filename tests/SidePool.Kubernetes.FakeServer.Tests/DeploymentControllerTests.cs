using System.Net;
using System.Text.Json.Nodes;
using SidePool.Kubernetes.FakeServer.Tests.Support;
using static SidePool.Kubernetes.FakeServer.Tests.Support.Workloads;

namespace SidePool.Kubernetes.FakeServer.Tests;

/// <summary>The Deployment and ReplicaSet controllers with the pod lifecycle simulation, observed through the API and kubectl.</summary>
public sealed class DeploymentControllerTests
{
    private static FakeApiServerOptions Options(TimeSpan? readinessDelay = null) => new()
    {
        RunControllers = true,
        SimulatePodLifecycle = true,
        PodReadinessDelay = readinessDelay ?? TimeSpan.Zero,
    };

    [Fact]
    public async Task A_template_annotation_stamp_rolls_every_pod_through_the_webhook_within_surge_and_unavailability_bounds()
    {
        using var ca = new TestCertificateAuthority();
        await using var webhook = await WebhookServer.StartAsync(ca.IssueServing());
        webhook.Handle("/inject", review => new WebhookAnswer(Patch: WebhookConfigurations.AddLabelPatch(review, "sidepool.dev/injected", "true", addSidecar: true)));
        await using var server = await FakeApiServer.StartAsync(Options(TimeSpan.FromMilliseconds(800)));
        using var api = new ApiClient(server);
        using var kubectl = new Kubectl(server, "default");
        var hook = WebhookConfigurations.Hook("inject.sidepool.dev", webhook.Url("/inject"), ca.CaBundle);
        hook["objectSelector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["app"] = "web" } };
        await api.CreateAsync(WebhookConfigurations.Configurations, WebhookConfigurations.Configuration("sidepool", hook));
        await api.CreateAsync(Deployments, Deployment("web", 4, RollingUpdate(1, 1)));
        var first = await RolledOutAsync(api, "web", 4);
        var firstHash = Label(Assert.Single(((await api.GetAsync(ReplicaSets)).Body["items"]!.AsArray()))!.AsObject(), "pod-template-hash");

        await using (var sampler = new PodSampler(api, "app=web"))
        {
            var stamped = await api.PatchAsync($"{Deployments}/web", "application/strategic-merge-patch+json", StampPatch("generation-2"));
            Assert.Equal(HttpStatusCode.OK, stamped.Status);
            var rollout = await kubectl.RunAsync("rollout", "status", "deployment/web", "--timeout=90s");
            Assert.True(rollout.ExitCode == 0, rollout.StandardError + rollout.StandardOutput);
            Assert.Contains("deployment \"web\" successfully rolled out", rollout.StandardOutput, StringComparison.Ordinal);
            await sampler.StopAsync();
            Assert.True(sampler.Samples > 5, $"only {sampler.Samples} samples");
            Assert.True(sampler.MaxLive <= 5, $"{sampler.MaxLive} live pods > replicas + maxSurge");
            Assert.True(sampler.MinReady >= 3, $"{sampler.MinReady} ready pods < replicas - maxUnavailable");
            Assert.Contains(sampler.Observations, pods => pods.Any(p => p.Labels.Contains(firstHash, StringComparison.Ordinal)) && pods.Any(p => !p.Labels.Contains(firstHash, StringComparison.Ordinal)));
        }

        var done = await RolledOutAsync(api, "web", 4);
        var replicaSets = (await api.GetAsync(ReplicaSets)).Body["items"]!.AsArray().Select(r => r!.AsObject()).ToList();
        Assert.Equal(2, replicaSets.Count);
        var newRs = Assert.Single(replicaSets, rs => Label(rs, "pod-template-hash") != firstHash);
        var oldRs = Assert.Single(replicaSets, rs => Label(rs, "pod-template-hash") == firstHash);
        var newHash = Label(newRs, "pod-template-hash");
        Assert.Equal($"web-{newHash}", newRs["metadata"]!["name"]!.GetValue<string>());
        Assert.Equal(0, oldRs["spec"]!["replicas"]!.GetValue<int>());
        Assert.Equal("2", newRs["metadata"]!["annotations"]!["deployment.kubernetes.io/revision"]!.GetValue<string>());
        Assert.Equal("2", done.Body["metadata"]!["annotations"]!["deployment.kubernetes.io/revision"]!.GetValue<string>());
        Assert.Equal(newHash, newRs["spec"]!["selector"]!["matchLabels"]!["pod-template-hash"]!.GetValue<string>());
        Assert.Equal("Deployment", newRs["metadata"]!["ownerReferences"]![0]!["kind"]!.GetValue<string>());

        var pods = await Objects.EventuallyAsync(() => PodsAsync(api, "app=web"), p => p.Count == 4 && p.All(x => !Terminating(x)), "four pods and none terminating");
        Assert.All(pods, pod =>
        {
            Assert.Equal(newHash, Label(pod, "pod-template-hash"));
            Assert.Equal("true", Label(pod, "sidepool.dev/injected"));
            Assert.Equal("generation-2", pod["metadata"]!["annotations"]!["sidepool.dev/stamp"]!.GetValue<string>());
            Assert.Equal(["app", "pgbouncer"], pod["spec"]!["containers"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()));
            Assert.StartsWith($"web-{newHash}-", pod["metadata"]!["name"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.True(Ready(pod));
        });

        var podReviews = webhook.ReceivedAt("/inject").Select(r => r["request"]!).ToList();
        Assert.Equal(8, podReviews.Count);
        Assert.All(podReviews, r =>
        {
            Assert.Equal("system:serviceaccount:kube-system:replicaset-controller", r["userInfo"]!["username"]!.GetValue<string>());
            Assert.Null(r["name"]);
            Assert.EndsWith("-", r["object"]!["metadata"]!["generateName"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.Equal("ReplicaSet", r["object"]!["metadata"]!["ownerReferences"]![0]!["kind"]!.GetValue<string>());
        });

        var conditions = done.Body["status"]!["conditions"]!.AsArray().ToDictionary(c => c!["type"]!.GetValue<string>(), c => c!.AsObject());
        Assert.Equal("MinimumReplicasAvailable", conditions["Available"]["reason"]!.GetValue<string>());
        Assert.Equal("NewReplicaSetAvailable", conditions["Progressing"]["reason"]!.GetValue<string>());
        Assert.Equal($"ReplicaSet \"web-{newHash}\" has successfully progressed.", conditions["Progressing"]["message"]!.GetValue<string>());
        Assert.Equal(0, Status(done.Body, "unavailableReplicas"));
        Assert.NotEqual(Objects.Generation(first.Body), Objects.Generation(done.Body));
    }

    [Fact]
    public async Task The_same_template_gives_the_same_hash_and_returning_to_it_reuses_its_replica_set()
    {
        await using var server = await FakeApiServer.StartAsync(Options());
        using var api = new ApiClient(server);
        await api.CreateAsync(Deployments, Deployment("a", 1));
        await api.CreateAsync("/api/v1/namespaces", new JsonObject { ["metadata"] = new JsonObject { ["name"] = "other" } });
        var inOther = Deployment("a", 1);
        await api.CreateAsync("/apis/apps/v1/namespaces/other/deployments", inOther);
        await RolledOutAsync(api, "a", 1);
        var hashOf = async (string path) => Label((await api.GetAsync(path)).Body["items"]!.AsArray()[0]!.AsObject(), "pod-template-hash");
        var first = await hashOf(ReplicaSets);
        await Objects.EventuallyAsync(() => api.GetAsync("/apis/apps/v1/namespaces/other/replicasets"), r => r.Body["items"]!.AsArray().Count == 1, "replica set in other");
        Assert.Equal(first, await hashOf("/apis/apps/v1/namespaces/other/replicasets"));

        await api.PatchAsync($"{Deployments}/a", "application/strategic-merge-patch+json", StampPatch("x"));
        await Objects.EventuallyAsync(() => api.GetAsync(ReplicaSets), r => r.Body["items"]!.AsArray().Count == 2, "a second replica set");
        await RolledOutAsync(api, "a", 1);
        await api.PatchAsync($"{Deployments}/a", "application/json-patch+json", """[{"op":"remove","path":"/spec/template/metadata/annotations"}]""");
        var back = await RolledOutAsync(api, "a", 1);

        var sets = (await api.GetAsync(ReplicaSets)).Body["items"]!.AsArray().Select(r => r!.AsObject()).ToList();
        Assert.Equal(2, sets.Count);
        var reused = Assert.Single(sets, rs => Label(rs, "pod-template-hash") == first);
        Assert.Equal(1, reused["spec"]!["replicas"]!.GetValue<int>());
        Assert.Equal("3", reused["metadata"]!["annotations"]!["deployment.kubernetes.io/revision"]!.GetValue<string>());
        Assert.Equal("3", back.Body["metadata"]!["annotations"]!["deployment.kubernetes.io/revision"]!.GetValue<string>());
    }

    [Fact]
    public async Task Recreate_removes_every_old_pod_before_the_first_new_one_exists()
    {
        await using var server = await FakeApiServer.StartAsync(Options(TimeSpan.FromMilliseconds(100)) with { PodTerminationDelay = TimeSpan.FromMilliseconds(600) });
        using var api = new ApiClient(server);
        await api.CreateAsync(Deployments, Deployment("db", 3, new JsonObject { ["type"] = "Recreate" }));
        await RolledOutAsync(api, "db", 3);
        var oldHash = Label((await PodsAsync(api, "app=db"))[0], "pod-template-hash");

        await using (var sampler = new PodSampler(api, "app=db"))
        {
            await api.PatchAsync($"{Deployments}/db", "application/strategic-merge-patch+json", StampPatch("2"));
            await RolledOutAsync(api, "db", 3);
            await sampler.StopAsync();
            Assert.DoesNotContain(sampler.Observations, pods => pods.Any(p => p.Labels.Contains(oldHash, StringComparison.Ordinal)) && pods.Any(p => !p.Labels.Contains(oldHash, StringComparison.Ordinal)));
            Assert.Contains(sampler.Observations, pods => pods.Count > 0 && pods.All(p => p.Terminating));
        }

        var pods = await PodsAsync(api, "app=db");
        Assert.Equal(3, pods.Count);
        Assert.All(pods, p => Assert.NotEqual(oldHash, Label(p, "pod-template-hash")));
    }

    [Fact]
    public async Task Kubectl_scale_resizes_and_scaling_down_deletes_a_not_ready_pod_first()
    {
        await using var server = await FakeApiServer.StartAsync(Options());
        using var api = new ApiClient(server);
        using var kubectl = new Kubectl(server, "default");
        await api.CreateAsync(Deployments, Deployment("api", 2));
        await RolledOutAsync(api, "api", 2);

        Assert.Contains("deployment.apps/api scaled", await kubectl.RunOkAsync("scale", "deployment", "api", "--replicas=4"), StringComparison.Ordinal);
        await RolledOutAsync(api, "api", 4);
        var pods = await PodsAsync(api, "app=api");
        Assert.Equal(4, pods.Count);
        var sick = pods[2]["metadata"]!["name"]!.GetValue<string>();
        using (server.Kubelet!.HoldNotReady(p => p.Metadata!.Name == sick))
        {
            await Objects.EventuallyAsync(() => api.GetAsync($"{Pods}/{sick}"), p => !Ready(p.Body), "the held pod not ready");
            await Objects.EventuallyAsync(() => api.GetAsync($"{Deployments}/api"), d => Status(d.Body, "readyReplicas") == 3, "three ready");
            await kubectl.RunOkAsync("scale", "deployment", "api", "--replicas=3");
            await RolledOutAsync(api, "api", 3);
        }

        var remaining = await Objects.EventuallyAsync(() => PodsAsync(api, "app=api"), p => p.Count == 3, "three pods");
        Assert.DoesNotContain(remaining, p => p["metadata"]!["name"]!.GetValue<string>() == sick);
        var scale = await api.GetAsync($"{Deployments}/api/scale");
        Assert.Equal(3, scale.Body["status"]!["replicas"]!.GetValue<int>());
        var rs = (await api.GetAsync(ReplicaSets)).Body["items"]!.AsArray().Single()!;
        Assert.Equal("3", rs["metadata"]!["annotations"]!["deployment.kubernetes.io/desired-replicas"]!.GetValue<string>());
    }

    [Fact]
    public async Task Rollout_status_keeps_waiting_while_a_new_pod_is_held_not_ready()
    {
        await using var server = await FakeApiServer.StartAsync(Options());
        using var api = new ApiClient(server);
        using var kubectl = new Kubectl(server, "default");
        await api.CreateAsync(Deployments, Deployment("web", 2, RollingUpdate(1, 0)));
        await RolledOutAsync(api, "web", 2);
        using var hold = server.Kubelet!.HoldNotReady(p => p.Metadata?.Annotations is { } a && a.TryGetValue("sidepool.dev/stamp", out var stamp) && stamp == "2");

        await api.PatchAsync($"{Deployments}/web", "application/strategic-merge-patch+json", StampPatch("2"));

        // the held state first (one surge pod, not ready), then what rollout status says of it: run before the
        // controller got there (slow under load), its 3 s could pass with "0 out of 2" or "spec update to be observed"
        var progressing = await Objects.EventuallyAsync(
            () => api.GetAsync($"{Deployments}/web"),
            d => Condition(d.Body, "Progressing")?["reason"]?.GetValue<string>() == "ReplicaSetUpdated" && Status(d.Body, "updatedReplicas") == 1 &&
                 Status(d.Body, "unavailableReplicas") == 1 && d.Body["status"]?["observedGeneration"]?.GetValue<long>() == d.Body["metadata"]?["generation"]?.GetValue<long>(),
            "Progressing=ReplicaSetUpdated with the surge pod unavailable");
        Assert.Equal("True", Condition(progressing.Body, "Available")!["status"]!.GetValue<string>());
        var pods = await Objects.EventuallyAsync(() => PodsAsync(api, "app=web"), p => p.Count(x => !Terminating(x)) == 3, "the surge pod");
        Assert.Equal(2, pods.Count(p => Ready(p) && !Terminating(p)));

        var waiting = await kubectl.RunAsync("rollout", "status", "deployment/web", "--timeout=3s");
        Assert.NotEqual(0, waiting.ExitCode);
        Assert.Contains("Waiting for deployment \"web\" rollout to finish: 1 out of 2 new replicas have been updated", waiting.StandardOutput, StringComparison.Ordinal);
        hold.Dispose();
        var done = await kubectl.RunAsync("rollout", "status", "deployment/web", "--timeout=60s");
        Assert.True(done.ExitCode == 0, done.StandardError);
    }

    [Fact]
    public async Task A_rollout_that_makes_no_progress_exceeds_its_deadline_and_rollout_status_says_so()
    {
        await using var server = await FakeApiServer.StartAsync(Options());
        using var api = new ApiClient(server);
        using var kubectl = new Kubectl(server, "default");
        var deployment = Deployment("slow", 1, RollingUpdate(1, 0));
        deployment["spec"]!["progressDeadlineSeconds"] = 2;
        await api.CreateAsync(Deployments, deployment);
        await RolledOutAsync(api, "slow", 1);
        using var hold = server.Kubelet!.HoldNotReady(p => p.Metadata?.Annotations is { } a && a.TryGetValue("sidepool.dev/stamp", out var stamp) && stamp == "2");

        await api.PatchAsync($"{Deployments}/slow", "application/strategic-merge-patch+json", StampPatch("2"));

        var timedOut = await Objects.EventuallyAsync(
            () => api.GetAsync($"{Deployments}/slow"),
            d => Condition(d.Body, "Progressing")?["reason"]?.GetValue<string>() == "ProgressDeadlineExceeded",
            "ProgressDeadlineExceeded",
            TimeSpan.FromSeconds(30));
        var condition = Condition(timedOut.Body, "Progressing")!;
        Assert.Equal("False", condition["status"]!.GetValue<string>());
        Assert.StartsWith("ReplicaSet \"slow-", condition["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.EndsWith("\" has timed out progressing.", condition["message"]!.GetValue<string>(), StringComparison.Ordinal);
        var status = await kubectl.RunAsync("rollout", "status", "deployment/slow", "--timeout=20s");
        Assert.NotEqual(0, status.ExitCode);
        Assert.Contains("deployment \"slow\" exceeded its progress deadline", status.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Revision_history_limit_deletes_the_oldest_empty_replica_sets()
    {
        await using var server = await FakeApiServer.StartAsync(Options());
        using var api = new ApiClient(server);
        await api.CreateAsync(Deployments, Deployment("hist", 1, revisionHistoryLimit: 1));
        await RolledOutAsync(api, "hist", 1);
        foreach (var stamp in new[] { "2", "3", "4" })
        {
            await api.PatchAsync($"{Deployments}/hist", "application/strategic-merge-patch+json", StampPatch(stamp));
            await Objects.EventuallyAsync(() => api.GetAsync($"{Deployments}/hist"), d => d.Body["metadata"]!["annotations"]?["deployment.kubernetes.io/revision"]?.GetValue<string>() == (int.Parse(stamp, System.Globalization.CultureInfo.InvariantCulture)).ToString(System.Globalization.CultureInfo.InvariantCulture), $"revision {stamp}");
            await RolledOutAsync(api, "hist", 1);
        }

        var sets = await Objects.EventuallyAsync(() => api.GetAsync(ReplicaSets), r => r.Body["items"]!.AsArray().Count == 2, "two replica sets left");
        var revisions = sets.Body["items"]!.AsArray().Select(r => r!["metadata"]!["annotations"]!["deployment.kubernetes.io/revision"]!.GetValue<string>()).Order().ToList();
        Assert.Equal(["3", "4"], revisions);
    }

    [Fact]
    public async Task A_webhook_that_refuses_pods_shows_as_replica_failure_on_the_replica_set_and_the_deployment()
    {
        using var ca = new TestCertificateAuthority();
        await using var webhook = await WebhookServer.StartAsync(ca.IssueServing());
        webhook.Handle("/deny", _ => new WebhookAnswer(Allowed: false, Status: new JsonObject { ["message"] = "no pool" }));
        await using var server = await FakeApiServer.StartAsync(Options());
        using var api = new ApiClient(server);
        await api.CreateAsync(WebhookConfigurations.Configurations, WebhookConfigurations.Configuration("deny", WebhookConfigurations.Hook("deny.sidepool.dev", webhook.Url("/deny"), ca.CaBundle)));
        await api.CreateAsync(Deployments, Deployment("blocked", 2));

        var d = await Objects.EventuallyAsync(
            () => api.GetAsync($"{Deployments}/blocked"),
            r => r.Body["status"]?["conditions"]?.AsArray().Any(c => c!["type"]!.GetValue<string>() == "ReplicaFailure") == true,
            "a ReplicaFailure condition",
            TimeSpan.FromSeconds(30));
        var failure = d.Body["status"]!["conditions"]!.AsArray().Single(c => c!["type"]!.GetValue<string>() == "ReplicaFailure")!;
        Assert.Equal("FailedCreate", failure["reason"]!.GetValue<string>());
        Assert.Equal("pods \"Unknown\" is forbidden: admission webhook \"deny.sidepool.dev\" denied the request: no pool", failure["message"]!.GetValue<string>());
        Assert.Empty(await PodsAsync(api, "app=blocked"));

        await api.DeleteAsync(WebhookConfigurations.Configurations + "/deny");
        var healed = await RolledOutAsync(api, "blocked", 2);
        Assert.DoesNotContain(healed.Body["status"]!["conditions"]!.AsArray(), c => c!["type"]!.GetValue<string>() == "ReplicaFailure");
    }

    private static JsonObject? Condition(JsonObject deployment, string type) =>
        deployment["status"]?["conditions"]?.AsArray().Select(c => c!.AsObject()).FirstOrDefault(c => c["type"]!.GetValue<string>() == type);
}
