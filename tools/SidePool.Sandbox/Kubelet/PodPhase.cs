namespace SidePool.Sandbox.Kubelet;

/// <summary>
/// A pod's <c>status.phase</c> from what its containers did (pure). Pending until it is initialized and every app
/// container was created; Running while an app container runs or will be restarted; then Succeeded when every app
/// container exited 0, else Failed. A pod being deleted is never restarted, so its app containers' exits end it, but only
/// once its native sidecars exited too: Kubernetes' phase is terminal when "all containers in the Pod have terminated"
/// (Pod Lifecycle, Pod phase), and the kubelet stops the sidecars after the app. Until then it is Running.
/// </summary>
internal static class PodPhase
{
    public static string Of(bool failed, bool initialized, IReadOnlyList<ContainerRuntime> init, IReadOnlyList<ContainerRuntime> apps, string? restartPolicy, bool terminating)
    {
        if (failed)
        {
            return "Failed";
        }

        if (!initialized || apps.Any(c => !c.Created))
        {
            return "Pending";
        }

        var policy = restartPolicy ?? "Always";
        var done = apps.All(c => !c.Running && c.Terminated is not null
            && (policy == "Never" || (policy == "OnFailure" && c.Terminated["exitCode"]?.GetValue<int>() == 0) || terminating));
        if (!done || (terminating && init.Any(c => c.Kind == ContainerKind.Sidecar && c.Running)))
        {
            return "Running";
        }

        return apps.All(c => c.Terminated!["exitCode"]?.GetValue<int>() == 0) ? "Succeeded" : "Failed";
    }
}
