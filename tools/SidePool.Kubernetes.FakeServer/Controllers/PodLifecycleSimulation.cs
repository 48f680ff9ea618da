using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s.Models;

namespace SidePool.Kubernetes.FakeServer.Controllers;

/// <summary>
/// A SIMULATION of a scheduler and kubelets (no containers run): binds unscheduled pods to the simulated node, reports
/// bound pods Running with a status for every container (init containers with <c>restartPolicy: Always</c> running, started
/// and ready; other init containers Completed) and Ready=True after <see cref="FakeApiServerOptions.PodReadinessDelay"/>
/// unless a test holds them not ready, reports pods a test failed as Failed, and removes terminating pods (grace 0,
/// uid precondition) <see cref="FakeApiServerOptions.PodTerminationDelay"/> after they were marked, as a kubelet does.
/// </summary>
internal sealed class PodLifecycleSimulation : ControllerLoop
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _terminatingSince = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _failed = new(StringComparer.Ordinal);
    private readonly List<Func<V1Pod, bool>> _holds = [];
    private readonly Lock _holdsLock = new();
    private readonly RequestContext _identity;

    public PodLifecycleSimulation(ControllerContext context)
        : base(context)
    {
        NodeName = context.Options.SimulatedNodeName;
        _identity = RequestContext.Node(NodeName);
    }

    public string NodeName { get; }

    protected override ResourceDefinition Primary => Context.Pods;

    protected override IEnumerable<ResourceDefinition> Watched => [Context.Pods];

    protected override string Name => "pod-lifecycle-simulation";

    protected override TimeSpan ResyncInterval => TimeSpan.FromSeconds(1);

    public IDisposable HoldNotReady(Func<V1Pod, bool> selector)
    {
        lock (_holdsLock)
        {
            _holds.Add(selector);
        }

        RequeueAll();
        return new Release(() =>
        {
            lock (_holdsLock)
            {
                _holds.Remove(selector);
            }

            RequeueAll();
        });
    }

    public void Fail(string @namespace, string name, string message)
    {
        _failed[Key(@namespace, name)] = message;
        Queue.Add(Key(@namespace, name));
    }

    /// <summary>Registers the simulated node (Ready) so that <c>kubectl get nodes</c> and node lookups find it.</summary>
    public Task RegisterNodeAsync(CancellationToken cancellationToken) =>
        NodeRegistration.RegisterAsync(Context, NodeName, simulated: true, cancellationToken);

    protected override IEnumerable<string> KeysFor(StoredEvent stored) => [Key(stored.Namespace, Workloads.Name(stored.Object))];

    protected override async Task ReconcileAsync(string @namespace, string name, CancellationToken cancellationToken)
    {
        var key = Key(@namespace, name);
        var pod = Context.Get(Context.Pods, @namespace, name);
        if (pod is null)
        {
            _terminatingSince.TryRemove(key, out _);
            _failed.TryRemove(key, out _);
            return;
        }

        var now = Context.Time.GetUtcNow();
        var nodeName = JsonNodes.GetString(pod["spec"], "nodeName");
        if (Workloads.Deleting(pod))
        {
            if (nodeName != NodeName)
            {
                return;
            }

            var since = _terminatingSince.GetOrAdd(key, now);
            var remaining = since + Context.Options.PodTerminationDelay - now;
            if (remaining > TimeSpan.Zero)
            {
                Queue.AddAfter(key, remaining, Context.Time, Stopping);
                return;
            }

            try
            {
                Context.Operations.Delete(Context.Pods, @namespace, name, new DeleteOptions(null, Workloads.Uid(pod), null, false) { GracePeriodSeconds = 0 });
            }
            catch (ApiException error) when (error.Code is 404 or 409)
            {
            }

            return;
        }

        if (string.IsNullOrEmpty(nodeName))
        {
            Context.Operations.BindPod(Context.Pods, @namespace, name, NodeName);
            return;
        }

        if (nodeName != NodeName || Workloads.Phase(pod) is "Succeeded" or "Failed")
        {
            return;
        }

        TimeSpan? readyIn = null;
        var status = _failed.TryGetValue(key, out var failure) ? FailedStatus(pod, failure, now) : RunningStatus(pod, now, out readyIn);
        if (readyIn is { } wait)
        {
            Queue.AddAfter(key, wait, Context.Time, Stopping);
        }

        if (JsonNode.DeepEquals(status, pod["status"]))
        {
            return;
        }

        pod["status"] = status;
        await Context.Operations.UpdateAsync(Context.Pods, @namespace, name, "status", pod, Context.Write("kubelet"), _identity, cancellationToken);

        JsonObject RunningStatus(JsonObject current, DateTimeOffset at, out TimeSpan? untilReady)
        {
            var started = JsonNodes.GetString(current["status"], "startTime") is { } text
                && DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var parsed)
                ? parsed
                : at;
            var readyAt = started + Context.Options.PodReadinessDelay;
            var held = IsHeld(current);
            var ready = !held && at >= readyAt;
            untilReady = !held && !ready ? readyAt - at : null;
            return Status(current, "Running", ready, JsonNodes.Timestamp(started), JsonNodes.Timestamp(at), failedMessage: null);
        }
    }

    private static JsonObject FailedStatus(JsonObject pod, string message, DateTimeOffset now) =>
        Status(pod, "Failed", ready: false, JsonNodes.GetString(pod["status"], "startTime") ?? JsonNodes.Timestamp(now), JsonNodes.Timestamp(now), message);

    private bool IsHeld(JsonObject pod)
    {
        List<Func<V1Pod, bool>> holds;
        lock (_holdsLock)
        {
            holds = _holds.ToList();
        }

        if (holds.Count == 0)
        {
            return false;
        }

        var typed = k8s.KubernetesJson.Deserialize<V1Pod>(pod)!;
        return holds.Any(h => h(typed));
    }

    private static JsonObject Status(JsonObject pod, string phase, bool ready, string startTime, string now, string? failedMessage)
    {
        var previous = pod["status"] as JsonObject;
        var containers = (pod["spec"]?["containers"] as JsonArray)?.OfType<JsonObject>().ToList() ?? [];
        var initContainers = (pod["spec"]?["initContainers"] as JsonArray)?.OfType<JsonObject>().ToList() ?? [];
        var running = phase == "Running";
        var unready = string.Join(" ", containers.Select(c => JsonNodes.GetString(c, "name")));
        var conditions = new JsonArray(
            Condition(previous, "PodReadyToStartContainers", running ? "True" : "False", now, null, null),
            Condition(previous, "Initialized", "True", now, null, null),
            Condition(previous, "Ready", ready ? "True" : "False", now, ready ? null : running ? "ContainersNotReady" : "PodFailed", ready ? null : running ? $"containers with unready status: [{unready}]" : failedMessage),
            Condition(previous, "ContainersReady", ready ? "True" : "False", now, ready ? null : running ? "ContainersNotReady" : "PodFailed", ready ? null : running ? $"containers with unready status: [{unready}]" : failedMessage),
            Condition(previous, "PodScheduled", "True", now, null, null));
        var status = new JsonObject
        {
            ["phase"] = phase,
            ["conditions"] = conditions,
        };
        if (failedMessage is not null)
        {
            status["reason"] = "Error";
            status["message"] = failedMessage;
        }

        status["hostIP"] = "127.0.0.1";
        status["hostIPs"] = new JsonArray(new JsonObject { ["ip"] = "127.0.0.1" });
        status["podIP"] = "127.0.0.1";
        status["podIPs"] = new JsonArray(new JsonObject { ["ip"] = "127.0.0.1" });
        status["startTime"] = startTime;
        if (initContainers.Count > 0)
        {
            status["initContainerStatuses"] = new JsonArray(initContainers.Select(c => (JsonNode?)InitContainerStatus(pod, c, running, startTime)).ToArray());
        }

        status["containerStatuses"] = new JsonArray(containers.Select(c => (JsonNode?)ContainerStatus(pod, c, ready, running, startTime, now)).ToArray());
        status["qosClass"] = "BestEffort";
        return status;
    }

    private static JsonObject Condition(JsonObject? previous, string type, string value, string now, string? reason, string? message)
    {
        var old = (previous?["conditions"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(c => JsonNodes.GetString(c, "type") == type);
        var transition = old is not null && JsonNodes.GetString(old, "status") == value ? JsonNodes.GetString(old, "lastTransitionTime") ?? now : now;
        var condition = new JsonObject { ["type"] = type, ["status"] = value, ["lastProbeTime"] = null, ["lastTransitionTime"] = transition };
        if (reason is not null)
        {
            condition["reason"] = reason;
        }

        if (message is not null)
        {
            condition["message"] = message;
        }

        return condition;
    }

    private static JsonObject InitContainerStatus(JsonObject pod, JsonObject container, bool running, string startTime)
    {
        var name = JsonNodes.GetString(container, "name") ?? string.Empty;
        var sidecar = JsonNodes.GetString(container, "restartPolicy") == "Always";
        var state = sidecar && running
            ? new JsonObject { ["running"] = new JsonObject { ["startedAt"] = startTime } }
            : new JsonObject { ["terminated"] = new JsonObject { ["exitCode"] = sidecar ? 1 : 0, ["reason"] = sidecar ? "Error" : "Completed", ["startedAt"] = startTime, ["finishedAt"] = startTime } };
        return new JsonObject
        {
            ["name"] = name,
            ["state"] = state,
            ["lastState"] = new JsonObject(),
            ["ready"] = sidecar ? running : true,
            ["restartCount"] = 0,
            ["image"] = JsonNodes.GetString(container, "image") ?? string.Empty,
            ["imageID"] = string.Empty,
            ["containerID"] = $"simulated://{JsonNodes.MetaString(pod, "uid")}/{name}",
            ["started"] = sidecar && running,
        };
    }

    private static JsonObject ContainerStatus(JsonObject pod, JsonObject container, bool ready, bool running, string startTime, string now)
    {
        var name = JsonNodes.GetString(container, "name") ?? string.Empty;
        var state = running
            ? new JsonObject { ["running"] = new JsonObject { ["startedAt"] = startTime } }
            : new JsonObject { ["terminated"] = new JsonObject { ["exitCode"] = 1, ["reason"] = "Error", ["startedAt"] = startTime, ["finishedAt"] = now } };
        return new JsonObject
        {
            ["name"] = name,
            ["state"] = state,
            ["lastState"] = new JsonObject(),
            ["ready"] = ready,
            ["restartCount"] = 0,
            ["image"] = JsonNodes.GetString(container, "image") ?? string.Empty,
            ["imageID"] = string.Empty,
            ["containerID"] = $"simulated://{JsonNodes.MetaString(pod, "uid")}/{name}",
            ["started"] = running,
        };
    }

    private void RequeueAll()
    {
        foreach (var pod in Context.List(Context.Pods, null))
        {
            Queue.Add(Key(Workloads.Namespace(pod), Workloads.Name(pod)));
        }
    }

    private sealed class Release(Action release) : IDisposable
    {
        private Action? _release = release;

        public void Dispose() => Interlocked.Exchange(ref _release, null)?.Invoke();
    }
}
