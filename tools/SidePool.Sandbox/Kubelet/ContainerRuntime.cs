using System.Text.Json.Nodes;

namespace SidePool.Sandbox.Kubelet;

/// <summary>
/// What the kubelet knows of one container of a pod (guarded by its <see cref="PodWorker"/>'s lock): the current instance's
/// state (waiting, running, terminated), the last termination, restarts, and the probe results (started, ready).
/// </summary>
internal sealed class ContainerRuntime(Container spec, ContainerKind kind, string podmanName, CrashBackoff backoff)
{
    public Container Spec { get; } = spec;

    public ContainerKind Kind { get; } = kind;

    public string PodmanName { get; } = podmanName;

    public string PreviousPodmanName => PodmanName + "-previous";

    public CrashBackoff Backoff { get; } = backoff;

    public string? ContainerId { get; set; }

    public int RestartCount { get; set; }

    /// <summary>At least one instance was created (so it has a log).</summary>
    public bool Created { get; set; }

    public bool HasPrevious { get; set; }

    public bool Started { get; set; }

    public bool Ready { get; set; }

    public DateTimeOffset? RunningSince { get; set; }

    public string WaitingReason { get; set; } = "PodInitializing";

    public string? WaitingMessage { get; set; }

    public JsonObject? Terminated { get; set; }

    public JsonObject? LastTerminated { get; set; }

    /// <summary>Completes with the exit code when the current instance exits.</summary>
    public TaskCompletionSource<int>? Exit { get; set; }

    /// <summary>Completes when the startup probe passed (or the container runs, without one).</summary>
    public TaskCompletionSource StartedSignal { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool Running => RunningSince is not null;

    /// <summary>This container's entry of <c>containerStatuses</c>/<c>initContainerStatuses</c>.</summary>
    public JsonObject Status()
    {
        JsonObject state;
        if (RunningSince is { } since)
        {
            state = new JsonObject { ["running"] = new JsonObject { ["startedAt"] = Timestamp(since) } };
        }
        else if (Terminated is { } terminated)
        {
            state = new JsonObject { ["terminated"] = terminated.DeepClone() };
        }
        else
        {
            var waiting = new JsonObject { ["reason"] = WaitingReason };
            if (WaitingMessage is { } message)
            {
                waiting["message"] = message;
            }

            state = new JsonObject { ["waiting"] = waiting };
        }

        var status = new JsonObject
        {
            ["name"] = Spec.Name,
            ["state"] = state,
            ["lastState"] = LastTerminated is { } last ? new JsonObject { ["terminated"] = last.DeepClone() } : new JsonObject(),
            ["ready"] = Ready,
            ["restartCount"] = RestartCount,
            ["image"] = Spec.Image ?? string.Empty,
            ["imageID"] = string.Empty,
            ["started"] = Started,
        };
        if (ContainerId is { } id)
        {
            status["containerID"] = "podman://" + id;
        }

        return status;
    }

    public static string Timestamp(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
