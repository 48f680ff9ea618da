using System.Text.Json.Nodes;
using SidePool.Kubernetes.FakeServer.Tests.Support;
using static SidePool.Kubernetes.FakeServer.Tests.Support.Workloads;

namespace SidePool.Kubernetes.FakeServer.Tests;

/// <summary><c>kubectl get pods</c> columns as the real server prints them (READY, STATUS, RESTARTS; IP and NODE wide).</summary>
public sealed class PodPrinterTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);

    private static JsonObject Pod(string status, string? initStatuses = null, bool deleting = false) => JsonNode.Parse($$"""
        {
          "metadata": { "name": "p"{{(deleting ? ", \"deletionTimestamp\": \"2026-12-02T12:00:30Z\"" : "")}} },
          "spec": {
            "initContainers": [{ "name": "migrate" }, { "name": "proxy", "restartPolicy": "Always" }],
            "containers": [{ "name": "app" }]
          },
          "status": { {{status}}{{(initStatuses is null ? "" : ", \"initContainerStatuses\": " + initStatuses)}} }
        }
        """)!.AsObject();

    private const string Initialized = """ "conditions": [{ "type": "Initialized", "status": "True" }, { "type": "Ready", "status": "True" }] """;
    private const string InitDone = """
        [{ "name": "migrate", "restartCount": 0, "ready": true, "started": false, "state": { "terminated": { "exitCode": 0, "reason": "Completed" } } },
         { "name": "proxy", "restartCount": 1, "ready": true, "started": true, "state": { "running": {} }, "lastState": { "terminated": { "exitCode": 1, "finishedAt": "2026-12-02T11:58:00Z" } } }]
        """;

    [Fact]
    public void Ready_counts_app_containers_and_started_sidecars_and_restarts_show_the_last_ones_age()
    {
        var running = Pod($$"""
            "phase": "Running", {{Initialized}},
            "containerStatuses": [{ "name": "app", "ready": true, "restartCount": 2, "state": { "running": {} }, "lastState": { "terminated": { "exitCode": 1, "finishedAt": "2026-12-02T11:59:00Z" } } }]
            """, InitDone);

        Assert.Equal(("2/2", "Running", "3 (60s ago)"), PodPrinter.Row(running, Now));
    }

    [Fact]
    public void Status_names_the_reason_that_explains_the_pod_best()
    {
        var crashing = Pod($$"""
            "phase": "Running", {{Initialized}},
            "containerStatuses": [{ "name": "app", "ready": false, "restartCount": 4, "state": { "waiting": { "reason": "CrashLoopBackOff" } } }]
            """, InitDone);
        var initializing = Pod(""" "phase": "Pending" """, """[{ "name": "migrate", "restartCount": 0, "ready": false, "state": { "running": {} } }]""");
        var initCrashing = Pod(""" "phase": "Pending" """, """[{ "name": "migrate", "restartCount": 3, "ready": false, "state": { "waiting": { "reason": "CrashLoopBackOff" } } }]""");
        var creating = Pod($$"""
            "phase": "Pending", {{Initialized}},
            "containerStatuses": [{ "name": "app", "ready": false, "restartCount": 0, "state": { "waiting": { "reason": "ContainerCreating" } } }]
            """, InitDone);
        var terminating = Pod($$"""
            "phase": "Running", {{Initialized}},
            "containerStatuses": [{ "name": "app", "ready": true, "restartCount": 0, "state": { "running": {} } }]
            """, InitDone, deleting: true);

        Assert.Equal(("1/2", "CrashLoopBackOff"), Short(crashing));
        Assert.Equal(("0/2", "Init:0/2"), Short(initializing));
        Assert.Equal(("0/2", "Init:CrashLoopBackOff"), Short(initCrashing));
        Assert.Equal(("1/2", "ContainerCreating"), Short(creating));
        Assert.Equal(("2/2", "Terminating"), Short(terminating));
        Assert.Equal(("0/2", "Pending", "0"), PodPrinter.Row(Pod(""" "phase": "Pending" """), Now));
    }

    [Fact]
    public async Task Kubectl_get_pods_prints_ready_status_restarts_and_wide_columns()
    {
        await using var server = await FakeApiServer.StartAsync(new FakeApiServerOptions { SimulatePodLifecycle = true });
        using var api = new ApiClient(server);
        await api.CreateAsync(Pods, WebhookConfigurations.Pod(name: "p"));
        await Objects.EventuallyAsync(() => api.GetAsync($"{Pods}/p"), p => Ready(p.Body), "Ready");
        using var kubectl = new Kubectl(server);

        var table = await kubectl.RunOkAsync("get", "pods");
        var wide = await kubectl.RunOkAsync("get", "pods", "-o", "wide");

        Assert.Matches(@"^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\n", table);
        Assert.Matches(@"\np\s+1/1\s+Running\s+0\s+\d+s\n", table);
        Assert.Matches(@"\np\s+1/1\s+Running\s+0\s+\d+s\s+127\.0\.0\.1\s+fake-node\n", wide);
    }

    private static (string, string) Short(JsonObject pod)
    {
        var row = PodPrinter.Row(pod, Now);
        return (row.Ready, row.Status);
    }
}
