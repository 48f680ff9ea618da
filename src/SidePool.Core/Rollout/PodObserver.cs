using SidePool.Api;
using SidePool.Contract;

namespace SidePool.Core;

/// <summary>Reduces pods to <see cref="ObservedPod"/>s for one pool (pure).</summary>
public static class PodObserver
{
    /// <summary>The pods the pool selects, observed. <paramref name="replicaSetByName"/> resolves a ReplicaSet owner to its Deployment.</summary>
    public static IReadOnlyList<ObservedPod> Observe(string pool, LabelSelector? selector, IEnumerable<Pod> pods, Func<string, ReplicaSet?> replicaSetByName) =>
        [.. pods.Where(p => LabelSelectorMatcher.Matches(selector, p.Metadata?.Labels)).Select(p => Observe(pool, p, replicaSetByName))];

    public static ObservedPod Observe(string pool, Pod pod, Func<string, ReplicaSet?> replicaSetByName)
    {
        var (reason, message) = SidecarProblem(pool, pod);
        return new ObservedPod
        {
            Name = pod.Metadata?.Name ?? "",
            Version = VersionOf(pool, pod),
            Ready = pod.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true,
            Terminating = pod.Metadata?.DeletionTimestamp is not null,
            Finished = pod.Status?.Phase is "Succeeded" or "Failed",
            Owner = OwnerOf(pod, replicaSetByName),
            CreatedAt = pod.Metadata?.CreationTimestamp,
            TemplateVersion = VersionContract.Annotations.TemplateVersionOf(pod.Metadata?.Annotations, pool),
            DeclaredPorts = [.. (pod.Spec?.Containers ?? []).Concat(pod.Spec?.InitContainers ?? [])
                .Where(c => c.Name != VersionContract.Sidecar.Container(pool))
                .SelectMany(c => c.Ports ?? [])
                .SelectMany(p => new[] { p.ContainerPort, p.HostPort ?? 0 })
                .Where(p => p > 0)
                .Distinct()],
            SidecarReason = reason,
            SidecarMessage = message,
        };
    }

    /// <summary>
    /// The short version of the pool's sidecar in the pod: the webhook's stamp (label
    /// <c>pools.sidepool.dev/&lt;pool&gt;</c>), else the version Secret <c>&lt;pool&gt;-&lt;version&gt;</c> it mounts
    /// (a pod whose labels were rewritten after admission still mounts its version).
    /// </summary>
    public static string? VersionOf(string pool, Pod pod) =>
        VersionContract.Labels.VersionOf(pod.Metadata?.Labels, pool)
        ?? pod.Spec?.Volumes?.Select(v => VersionContract.Secrets.ShortVersionOf(pool, v.Secret?.SecretName)).FirstOrDefault(v => v is not null);

    /// <summary>Names of the Secrets a pod mounts.</summary>
    public static IEnumerable<string> MountedSecrets(Pod pod) =>
        pod.Spec?.Volumes?.Select(v => v.Secret?.SecretName).OfType<string>() ?? [];

    public static WorkloadRef OwnerOf(Pod pod, Func<string, ReplicaSet?> replicaSetByName)
    {
        var owner = pod.Metadata?.OwnerReferences?.FirstOrDefault(o => o.Controller == true) ?? pod.Metadata?.OwnerReferences?.FirstOrDefault();
        if (owner is null)
        {
            return new WorkloadRef(WorkloadRef.Pod, pod.Metadata?.Name ?? "");
        }

        if (owner.Kind == WorkloadRef.ReplicaSet)
        {
            var rsOwner = replicaSetByName(owner.Name)?.Metadata?.OwnerReferences?.FirstOrDefault(o => o.Controller == true);
            return rsOwner is { Kind: WorkloadRef.Deployment } ? new WorkloadRef(WorkloadRef.Deployment, rsOwner.Name) : new WorkloadRef(WorkloadRef.ReplicaSet, owner.Name);
        }

        return new WorkloadRef(owner.Kind, owner.Name);
    }

    private static (string? Reason, string? Message) SidecarProblem(string pool, Pod pod)
    {
        var statuses = (pod.Status?.InitContainerStatuses ?? []).Concat(pod.Status?.ContainerStatuses ?? []);
        var container = VersionContract.Sidecar.Container(pool);
        var sidecar = statuses.FirstOrDefault(s => s.Name == container);
        if (sidecar is null || sidecar.Ready)
        {
            return (null, null);
        }

        if (sidecar.State?.Waiting is { } waiting)
        {
            return (waiting.Reason, waiting.Message);
        }

        if (sidecar.State?.Terminated is { } terminated)
        {
            return (terminated.Reason ?? "SidecarTerminated", terminated.Message);
        }

        var readiness = pod.Status?.Conditions?.FirstOrDefault(c => c.Type is "ContainersReady" or "Ready" && c.Status != "True");
        return ("SidecarNotReady", readiness?.Message);
    }
}
