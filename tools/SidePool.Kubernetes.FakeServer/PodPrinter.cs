using System.Globalization;
using System.Text.Json.Nodes;

namespace SidePool.Kubernetes.FakeServer;

/// <summary>
/// The pod columns of <c>kubectl get pods</c> as the real server prints them (k8s.io/kubernetes
/// pkg/printers/internalversion printPod): NAME READY STATUS RESTARTS AGE, and IP NODE for <c>-o wide</c>. READY counts
/// ready app containers and started, ready native sidecars; STATUS is the phase, or the reason that explains it best
/// (<c>Init:0/2</c>, <c>Init:CrashLoopBackOff</c>, <c>PodInitializing</c>, <c>ContainerCreating</c>, <c>CrashLoopBackOff</c>,
/// <c>Completed</c>, <c>Error</c>, <c>Terminating</c>); RESTARTS sums the restarts with the age of the last one.
/// </summary>
internal static class PodPrinter
{
    public static IReadOnlyList<PrinterColumn> Columns(PrinterColumn age) =>
    [
        new("Ready", "string", string.Empty, "The aggregate readiness state of this pod for accepting traffic.") { Compute = (pod, _) => Row(pod, DateTimeOffset.MinValue).Ready },
        new("Status", "string", string.Empty, "The aggregate status of the containers in this pod.") { Compute = (pod, _) => Row(pod, DateTimeOffset.MinValue).Status },
        new("Restarts", "string", string.Empty, "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.") { Compute = (pod, now) => Row(pod, now).Restarts },
        age,
        new("IP", "string", ".status.podIP", "IP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.", Priority: 1),
        new("Node", "string", ".spec.nodeName", "Name of the Node this pod is assigned to.", Priority: 1),
    ];

    public static (string Ready, string Status, string Restarts) Row(JsonObject pod, DateTimeOffset now)
    {
        var spec = pod["spec"] as JsonObject;
        var status = pod["status"] as JsonObject;
        var initSpecs = (spec?["initContainers"] as JsonArray)?.OfType<JsonObject>().ToList() ?? [];
        var sidecars = initSpecs.Where(c => JsonNodes.GetString(c, "restartPolicy") == "Always").Select(c => JsonNodes.GetString(c, "name")).ToHashSet(StringComparer.Ordinal);
        var total = ((spec?["containers"] as JsonArray)?.Count ?? 0) + sidecars.Count;
        var ready = 0;
        var restarts = 0L;
        var sidecarRestarts = 0L;
        DateTimeOffset? lastRestart = null;
        var reason = JsonNodes.GetString(status, "reason") is { Length: > 0 } podReason ? podReason : JsonNodes.GetString(status, "phase") ?? "Pending";

        void NoteRestart(JsonObject container)
        {
            if (JsonNodes.GetString(container["lastState"]?["terminated"], "finishedAt") is { } finished
                && DateTimeOffset.TryParse(finished, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) && (lastRestart is null || at > lastRestart))
            {
                lastRestart = at;
            }
        }

        var initializing = false;
        var initStatuses = (status?["initContainerStatuses"] as JsonArray)?.OfType<JsonObject>().ToList() ?? [];
        for (var i = 0; i < initStatuses.Count; i++)
        {
            var container = initStatuses[i];
            var count = JsonNodes.GetInt64(container["restartCount"]) ?? 0;
            restarts += count;
            NoteRestart(container);
            var state = container["state"] as JsonObject;
            if (sidecars.Contains(JsonNodes.GetString(container, "name")))
            {
                sidecarRestarts += count;
                if (container["started"]?.GetValue<bool>() == true)
                {
                    ready += container["ready"]?.GetValue<bool>() == true ? 1 : 0;
                    continue;
                }
            }

            var terminated = state?["terminated"] as JsonObject;
            var waitingReason = JsonNodes.GetString(state?["waiting"], "reason");
            if (terminated is not null && JsonNodes.GetInt64(terminated["exitCode"]) == 0)
            {
                continue;
            }

            if (terminated is not null)
            {
                reason = JsonNodes.GetString(terminated, "reason") is { Length: > 0 } why ? "Init:" + why
                    : JsonNodes.GetInt64(terminated["signal"]) is { } signal and not 0 ? $"Init:Signal:{signal}" : $"Init:ExitCode:{JsonNodes.GetInt64(terminated["exitCode"])}";
            }
            else if (waitingReason is { Length: > 0 } && waitingReason != "PodInitializing")
            {
                reason = "Init:" + waitingReason;
            }
            else
            {
                reason = string.Create(CultureInfo.InvariantCulture, $"Init:{i}/{initSpecs.Count}");
            }

            initializing = true;
            break;
        }

        var initialized = (status?["conditions"] as JsonArray)?.OfType<JsonObject>().Any(c => JsonNodes.GetString(c, "type") == "Initialized" && JsonNodes.GetString(c, "status") == "True") == true;
        if (!initializing || initialized)
        {
            restarts = sidecarRestarts;
            var running = false;
            var statuses = (status?["containerStatuses"] as JsonArray)?.OfType<JsonObject>().ToList() ?? [];
            for (var i = statuses.Count - 1; i >= 0; i--)
            {
                var container = statuses[i];
                restarts += JsonNodes.GetInt64(container["restartCount"]) ?? 0;
                NoteRestart(container);
                var state = container["state"] as JsonObject;
                var terminated = state?["terminated"] as JsonObject;
                if (JsonNodes.GetString(state?["waiting"], "reason") is { Length: > 0 } waiting)
                {
                    reason = waiting;
                }
                else if (terminated is not null)
                {
                    reason = JsonNodes.GetString(terminated, "reason") is { Length: > 0 } why ? why
                        : JsonNodes.GetInt64(terminated["signal"]) is { } signal and not 0 ? $"Signal:{signal}" : $"ExitCode:{JsonNodes.GetInt64(terminated["exitCode"])}";
                }
                else if (container["ready"]?.GetValue<bool>() == true && state?["running"] is not null)
                {
                    running = true;
                    ready++;
                }
            }

            if (reason == "Completed" && running)
            {
                var podReady = (status?["conditions"] as JsonArray)?.OfType<JsonObject>().Any(c => JsonNodes.GetString(c, "type") == "Ready" && JsonNodes.GetString(c, "status") == "True") == true;
                reason = podReady ? "Running" : "NotReady";
            }
        }

        if (pod["metadata"]?["deletionTimestamp"] is not null && JsonNodes.GetString(status, "phase") is not ("Succeeded" or "Failed"))
        {
            reason = "Terminating";
        }

        var restartText = restarts.ToString(CultureInfo.InvariantCulture);
        if (restarts > 0 && lastRestart is { } last && now != DateTimeOffset.MinValue)
        {
            restartText += $" ({HumanDuration.Format(now - last)} ago)";
        }

        return (string.Create(CultureInfo.InvariantCulture, $"{ready}/{total}"), reason, restartText);
    }
}
