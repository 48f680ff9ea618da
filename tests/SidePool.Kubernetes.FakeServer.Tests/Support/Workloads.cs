using System.Text.Json.Nodes;

namespace SidePool.Kubernetes.FakeServer.Tests.Support;

/// <summary>Builders and probes for Deployment/StatefulSet tests against a server that runs controllers and the pod simulation.</summary>
internal static class Workloads
{
    public const string Deployments = "/apis/apps/v1/namespaces/default/deployments";
    public const string ReplicaSets = "/apis/apps/v1/namespaces/default/replicasets";
    public const string StatefulSets = "/apis/apps/v1/namespaces/default/statefulsets";
    public const string Pods = "/api/v1/namespaces/default/pods";

    public static JsonObject Deployment(string name, int replicas, JsonObject? strategy = null, int? revisionHistoryLimit = null)
    {
        var spec = new JsonObject
        {
            ["replicas"] = replicas,
            ["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["app"] = name } },
            ["template"] = Template(name),
        };
        if (strategy is not null)
        {
            spec["strategy"] = strategy;
        }

        if (revisionHistoryLimit is { } limit)
        {
            spec["revisionHistoryLimit"] = limit;
        }

        return new JsonObject { ["apiVersion"] = "apps/v1", ["kind"] = "Deployment", ["metadata"] = new JsonObject { ["name"] = name }, ["spec"] = spec };
    }

    public static JsonObject StatefulSet(string name, int replicas) => new()
    {
        ["apiVersion"] = "apps/v1",
        ["kind"] = "StatefulSet",
        ["metadata"] = new JsonObject { ["name"] = name },
        ["spec"] = new JsonObject
        {
            ["replicas"] = replicas,
            ["serviceName"] = name,
            ["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["app"] = name } },
            ["template"] = Template(name),
        },
    };

    public static JsonObject RollingUpdate(object maxSurge, object maxUnavailable) => new()
    {
        ["type"] = "RollingUpdate",
        ["rollingUpdate"] = new JsonObject { ["maxSurge"] = JsonValue.Create(maxSurge), ["maxUnavailable"] = JsonValue.Create(maxUnavailable) },
    };

    /// <summary>What an operator's stamp does: a merge patch of one pod-template annotation.</summary>
    public static string StampPatch(string value) =>
        new JsonObject { ["spec"] = new JsonObject { ["template"] = new JsonObject { ["metadata"] = new JsonObject { ["annotations"] = new JsonObject { ["sidepool.dev/stamp"] = value } } } } }.ToJsonString();

    public static async Task<List<JsonObject>> PodsAsync(ApiClient api, string selector)
    {
        var list = await api.GetAsync($"{Pods}?labelSelector={Uri.EscapeDataString(selector)}");
        return list.Body["items"]!.AsArray().Select(i => i!.AsObject()).ToList();
    }

    public static bool Terminating(JsonObject pod) => pod["metadata"]!["deletionTimestamp"] is not null;

    public static bool Ready(JsonObject pod) =>
        pod["status"]?["conditions"]?.AsArray().Any(c => c!["type"]!.GetValue<string>() == "Ready" && c["status"]!.GetValue<string>() == "True") == true;

    public static string Label(JsonObject obj, string key) => obj["metadata"]!["labels"]![key]!.GetValue<string>();

    public static long Status(JsonObject obj, string field) => obj["status"]?[field]?.GetValue<long>() ?? 0;

    /// <summary>Waits until the Deployment's status reports the whole current generation rolled out and available.</summary>
    public static Task<ApiResponse> RolledOutAsync(ApiClient api, string name, int replicas, TimeSpan? timeout = null) =>
        Objects.EventuallyAsync(
            () => api.GetAsync($"{Deployments}/{name}"),
            d => Status(d.Body, "observedGeneration") == Objects.Generation(d.Body)
                && Status(d.Body, "updatedReplicas") == replicas && Status(d.Body, "availableReplicas") == replicas && Status(d.Body, "replicas") == replicas,
            $"deployment {name} rolled out with {replicas} replicas",
            timeout ?? TimeSpan.FromSeconds(60));

    private static JsonObject Template(string app) => new()
    {
        ["metadata"] = new JsonObject { ["labels"] = new JsonObject { ["app"] = app } },
        ["spec"] = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = "app", ["image"] = "app:1" }) },
    };
}

/// <summary>Polls the pods of a selector continuously and keeps the extremes: most live pods, fewest ready live pods.</summary>
internal sealed class PodSampler : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private bool _stopped;

    public PodSampler(ApiClient api, string selector)
    {
        _loop = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                var pods = await Workloads.PodsAsync(api, selector);
                var live = pods.Where(p => !Workloads.Terminating(p)).ToList();
                lock (_stop)
                {
                    Samples++;
                    MaxLive = Math.Max(MaxLive, live.Count);
                    MinReady = Math.Min(MinReady, live.Count(Workloads.Ready));
                    Observations.Add(pods.Select(p => (p["metadata"]!["name"]!.GetValue<string>(), Workloads.Terminating(p), Workloads.Ready(p), p["metadata"]!["labels"]!.ToJsonString())).ToList());
                }

                await Task.Delay(5);
            }
        });
    }

    public int Samples { get; private set; }

    public int MaxLive { get; private set; }

    public int MinReady { get; private set; } = int.MaxValue;

    public List<List<(string Name, bool Terminating, bool Ready, string Labels)>> Observations { get; } = [];

    public async ValueTask DisposeAsync()
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }

    public async Task StopAsync() => await DisposeAsync();
}
