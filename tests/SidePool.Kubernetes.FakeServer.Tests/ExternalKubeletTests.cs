using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using SidePool.Kubernetes.FakeServer.Tests.Support;
using static SidePool.Kubernetes.FakeServer.Tests.Support.Workloads;

namespace SidePool.Kubernetes.FakeServer.Tests;

/// <summary>
/// EXTERNAL KUBELET mode (the sandbox's podman kubelet runs the pods): the server schedules pods to the node but simulates
/// nothing; graceful deletion leaves scheduled pods to the kubelet; <c>pods/binding</c> and <c>pods/log</c>.
/// </summary>
public sealed class ExternalKubeletTests
{
    [Fact]
    public async Task A_pod_is_scheduled_to_the_node_and_its_status_is_left_to_the_kubelet()
    {
        await using var server = await FakeApiServer.StartAsync(new FakeApiServerOptions { ExternalKubeletNodeName = "node-a" });
        using var api = new ApiClient(server);
        await api.CreateAsync(Pods, WebhookConfigurations.Pod(name: "p"));

        var bound = await Objects.EventuallyAsync(() => api.GetAsync($"{Pods}/p"), p => p.Body["spec"]?["nodeName"] is not null, "scheduled");
        await Task.Delay(1500);
        var later = await api.GetAsync($"{Pods}/p");

        Assert.Equal("node-a", bound.Body["spec"]!["nodeName"]!.GetValue<string>());
        var scheduled = Assert.Single(later.Body["status"]!["conditions"]!.AsArray());
        Assert.Equal("PodScheduled", scheduled!["type"]!.GetValue<string>());
        Assert.Equal("True", scheduled["status"]!.GetValue<string>());
        Assert.Equal("Pending", later.Body["status"]!["phase"]!.GetValue<string>()); // the registry's default; nothing moved it
        Assert.Null(later.Body["status"]!["containerStatuses"]);
        Assert.Null(server.Kubelet);
        var node = await api.GetAsync("/api/v1/nodes/node-a");
        Assert.Equal(HttpStatusCode.OK, node.Status);
        Assert.Equal("True", node.Body["status"]!["conditions"]![0]!["status"]!.GetValue<string>());
        Assert.Null(node.Body["metadata"]!["labels"]!["sidepool.dev/simulated"]);
    }

    [Fact]
    public async Task Graceful_deletion_leaves_a_scheduled_pod_until_the_kubelet_deletes_it_with_grace_zero()
    {
        await using var server = await FakeApiServer.StartAsync(new FakeApiServerOptions { ExternalKubeletNodeName = "node-a" });
        using var api = new ApiClient(server);
        var pod = WebhookConfigurations.Pod(name: "p");
        pod["spec"]!["terminationGracePeriodSeconds"] = 7;
        await api.CreateAsync(Pods, pod);
        var bound = await Objects.EventuallyAsync(() => api.GetAsync($"{Pods}/p"), p => p.Body["spec"]?["nodeName"] is not null, "scheduled");
        var before = DateTimeOffset.UtcNow;

        var deleting = await api.DeleteAsync($"{Pods}/p");
        await Task.Delay(1500);
        var still = await api.GetAsync($"{Pods}/p");
        var shorter = await api.DeleteAsync($"{Pods}/p", new JsonObject { ["gracePeriodSeconds"] = 3 });
        var uid = bound.Body["metadata"]!["uid"]!.GetValue<string>();
        var wrongUid = await api.DeleteAsync($"{Pods}/p", new JsonObject { ["gracePeriodSeconds"] = 0, ["preconditions"] = new JsonObject { ["uid"] = "not-" + uid } });
        var removed = await api.DeleteAsync($"{Pods}/p", new JsonObject { ["gracePeriodSeconds"] = 0, ["preconditions"] = new JsonObject { ["uid"] = uid } });

        Assert.Equal(HttpStatusCode.OK, deleting.Status);
        Assert.Equal(7, deleting.Body["metadata"]!["deletionGracePeriodSeconds"]!.GetValue<int>());
        var deadline = DateTimeOffset.Parse(deleting.Body["metadata"]!["deletionTimestamp"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(deadline, before.AddSeconds(6), before.AddSeconds(9)); // deletionTimestamp = now + grace, as the registry sets it
        Assert.Equal(HttpStatusCode.OK, still.Status);
        Assert.Equal(3, shorter.Body["metadata"]!["deletionGracePeriodSeconds"]!.GetValue<int>());
        Assert.Equal(HttpStatusCode.Conflict, wrongUid.Status);
        Assert.Equal(HttpStatusCode.OK, removed.Status);
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync($"{Pods}/p")).Status);
    }

    [Fact]
    public async Task A_binding_schedules_a_pod_once_and_a_second_binding_conflicts()
    {
        await using var server = await FakeApiServer.StartAsync();
        using var api = new ApiClient(server);
        await api.CreateAsync(Pods, WebhookConfigurations.Pod(name: "p"));
        var binding = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Binding",
            ["metadata"] = new JsonObject { ["name"] = "p" },
            ["target"] = new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Node", ["name"] = "n1" },
        };

        var first = await api.PostAsync($"{Pods}/p/binding", binding);
        var second = await api.PostAsync($"{Pods}/p/binding", binding);
        var pod = await api.GetAsync($"{Pods}/p");

        Assert.Equal(HttpStatusCode.Created, first.Status);
        Assert.Equal("Success", first.Body["status"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Conflict, second.Status);
        Assert.Contains("already assigned to node \"n1\"", second.Body["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("n1", pod.Body["spec"]!["nodeName"]!.GetValue<string>());
        Assert.Contains(pod.Body["status"]!["conditions"]!.AsArray(), c => c!["type"]!.GetValue<string>() == "PodScheduled");
    }

    [Fact]
    public async Task Kubectl_logs_follows_the_stream_the_kubelet_provides_and_names_the_container()
    {
        var requests = new List<PodLogRequest>();
        var release = new TaskCompletionSource();
        await using var server = await FakeApiServer.StartAsync(new FakeApiServerOptions
        {
            ExternalKubeletNodeName = "node-a",
            PodLogs = async (request, output, cancellationToken) =>
            {
                lock (requests)
                {
                    requests.Add(request);
                }

                if (request.Container == "waiting")
                {
                    throw new PodLogUnavailableException($"container \"waiting\" in pod \"{request.Pod}\" is waiting to start: ContainerCreating");
                }

                await output.WriteAsync(Encoding.UTF8.GetBytes($"first line of {request.Container}\n"), cancellationToken);
                if (request.Follow)
                {
                    await release.Task.WaitAsync(cancellationToken);
                    await output.WriteAsync(Encoding.UTF8.GetBytes("second line\n"), cancellationToken);
                }
            },
        });
        using var api = new ApiClient(server);
        var pod = WebhookConfigurations.Pod(name: "p");
        pod["spec"]!["containers"]!.AsArray().Add(new JsonObject { ["name"] = "waiting", ["image"] = "app:1" });
        await api.CreateAsync(Pods, pod);
        await Objects.EventuallyAsync(() => api.GetAsync($"{Pods}/p"), p => p.Body["spec"]?["nodeName"] is not null, "scheduled");
        using var kubectl = new Kubectl(server);
        var app = pod["spec"]!["containers"]![0]!["name"]!.GetValue<string>();

        var once = await kubectl.RunAsync("logs", "p", "-c", app);
        using var follower = kubectl.Start("logs", "-f", "p", "-c", app);
        var firstFollowed = await follower.WaitForLineAsync(l => l.StartsWith("first", StringComparison.Ordinal), "the first line while following");
        release.SetResult();
        var secondFollowed = await follower.WaitForLineAsync(l => l.StartsWith("second", StringComparison.Ordinal), "the line written later");
        var unnamed = await kubectl.RunAsync("get", "--raw", "/api/v1/namespaces/default/pods/p/log");
        var waiting = await kubectl.RunAsync("logs", "p", "-c", "waiting");
        var unknown = await kubectl.RunAsync("logs", "p", "-c", "nope");

        Assert.Equal(0, once.ExitCode);
        Assert.Equal($"first line of {app}\n", once.StandardOutput);
        Assert.Equal($"first line of {app}", firstFollowed);
        Assert.Equal("second line", secondFollowed);
        Assert.NotEqual(0, unnamed.ExitCode);
        Assert.Contains("a container name must be specified for pod p", unnamed.StandardError, StringComparison.Ordinal);
        Assert.NotEqual(0, waiting.ExitCode);
        Assert.Contains("is waiting to start: ContainerCreating", waiting.StandardError, StringComparison.Ordinal);
        Assert.NotEqual(0, unknown.ExitCode);
        Assert.Contains("container nope is not valid for pod p", unknown.StandardError, StringComparison.Ordinal);
        lock (requests)
        {
            Assert.Contains(requests, r => r.Follow && r.Container == app && r.Namespace == "default" && r.Pod == "p" && r.PodUid.Length > 0);
            Assert.Contains(requests, r => !r.Follow && r.Container == app);
        }
    }
}
