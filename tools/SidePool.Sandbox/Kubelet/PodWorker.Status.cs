using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using SidePool.Kubernetes.Client;
using SidePool.Kubernetes.Errors;

namespace SidePool.Sandbox.Kubelet;

/// <summary>
/// The pod's status as the kubelet reports it, written (merge patch on <c>pods/status</c>) whenever it changed: phase,
/// conditions PodScheduled, PodReadyToStartContainers, Initialized, ContainersReady and Ready (each with a
/// lastTransitionTime that moves only when its status changes), and a status per container.
/// </summary>
internal sealed partial class PodWorker
{
    private readonly SemaphoreSlim _dirty = new(0, 1);
    private readonly Dictionary<string, (string Status, DateTimeOffset At)> _conditions = new(StringComparer.Ordinal);
    private readonly DateTimeOffset _startTime = DateTimeOffset.UtcNow;
    private Task _statusLoop = Task.CompletedTask;
    private JsonObject? _written;
    private bool _initialized;
    private bool _sandboxReady;
    private bool _failed;
    private bool _terminating;
    private string? _message;

    private void MarkDirty()
    {
        try
        {
            if (_dirty.CurrentCount == 0)
            {
                _dirty.Release();
            }
        }
        catch (SemaphoreFullException)
        {
        }
    }

    private async Task StatusLoopAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await _dirty.WaitAsync(cancellationToken);
                await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken); // coalesce a burst of changes
                await FlushStatusAsync();
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception error) when (error is KubernetesApiException or HttpRequestException or IOException)
            {
                _context.Logger.LogWarning("pod {Namespace}/{Name}: status not written: {Error}", Namespace, Name, error.Message);
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                MarkDirty();
            }
        }
    }

    private async Task FlushStatusAsync()
    {
        var status = BuildStatus();
        if (_written is not null && JsonNode.DeepEquals(status, _written))
        {
            return;
        }

        try
        {
            await _context.Pods.PatchStatusAsync(Name, Namespace, KubernetesPatch.Merge(new JsonObject { ["status"] = status.DeepClone() }));
            _written = status;
        }
        catch (KubernetesApiException error) when (error.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
        }
    }

    private JsonObject BuildStatus()
    {
        lock (_lock)
        {
            var now = DateTimeOffset.UtcNow;
            var unreadyApps = _apps.Where(c => !c.Ready).Select(c => c.Spec.Name).ToList();
            var unreadySidecars = _init.Where(c => c.Kind == ContainerKind.Sidecar && !c.Ready).Select(c => c.Spec.Name).ToList();
            var unready = unreadySidecars.Concat(unreadyApps).ToList();
            var incomplete = _init.Where(c => c.Kind == ContainerKind.Init ? !c.Ready : !c.Started).Select(c => c.Spec.Name).ToList();
            var initialized = _initialized;
            var containersReady = initialized && unready.Count == 0 && !_failed;
            var phase = Phase();
            var conditions = new JsonArray(
                Condition("PodReadyToStartContainers", _sandboxReady && !_failed, now, null, null),
                Condition("Initialized", initialized, now, "ContainersNotInitialized", $"containers with incomplete status: [{string.Join(' ', incomplete)}]"),
                Condition("Ready", containersReady, now, "ContainersNotReady", $"containers with unready status: [{string.Join(' ', unready)}]"),
                Condition("ContainersReady", containersReady, now, "ContainersNotReady", $"containers with unready status: [{string.Join(' ', unready)}]"),
                Condition("PodScheduled", true, now, null, null));
            var status = new JsonObject
            {
                ["phase"] = phase,
                ["conditions"] = conditions,
                ["hostIP"] = "127.0.0.1",
                ["hostIPs"] = new JsonArray(new JsonObject { ["ip"] = "127.0.0.1" }),
                ["podIP"] = PodIp,
                ["podIPs"] = new JsonArray(new JsonObject { ["ip"] = PodIp }),
                ["startTime"] = ContainerRuntime.Timestamp(_startTime),
                ["qosClass"] = "BestEffort",
            };
            if (_message is { } message)
            {
                status["message"] = message;
            }

            if (_init.Count > 0)
            {
                status["initContainerStatuses"] = new JsonArray(_init.Select(c => (JsonNode?)c.Status()).ToArray());
            }

            status["containerStatuses"] = new JsonArray(_apps.Select(c => (JsonNode?)c.Status()).ToArray());
            return status;
        }
    }

    /// <summary>See <see cref="PodPhase"/>.</summary>
    private string Phase() => PodPhase.Of(_failed, _initialized, _init, _apps, _pod.Spec?.RestartPolicy, _terminating);

    private JsonObject Condition(string type, bool value, DateTimeOffset now, string? falseReason, string? falseMessage)
    {
        var text = value ? "True" : "False";
        if (!_conditions.TryGetValue(type, out var previous) || previous.Status != text)
        {
            _conditions[type] = previous = (text, now);
        }

        var condition = new JsonObject
        {
            ["type"] = type,
            ["status"] = text,
            ["lastProbeTime"] = null,
            ["lastTransitionTime"] = ContainerRuntime.Timestamp(previous.At),
        };
        if (!value && falseReason is not null)
        {
            condition["reason"] = falseReason;
            condition["message"] = falseMessage;
        }

        return condition;
    }
}
