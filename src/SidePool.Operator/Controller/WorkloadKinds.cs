using Microsoft.Extensions.Logging;
using SidePool.Core;
using SidePool.Kubernetes.Client;
using SidePool.Kubernetes.Errors;
using SidePool.Kubernetes.Runtime.Informers;

namespace SidePool.Operator.Controller;

/// <summary>
/// The workload kinds the operator rolls, in one table (<see cref="Create"/>): each row has its informer, its API
/// client and how to read its pod template and progress. <see cref="ClusterView"/> runs the informers,
/// <see cref="PoolEventMapper"/> maps their template changes to pools, <see cref="Workloads"/> reads and stamps them.
/// A new kind is one row here (and <see cref="WorkloadRef.IsRestartable"/> in the core; a test keeps the two equal).
/// </summary>
public static class WorkloadKinds
{
    public static IReadOnlyList<IWorkloadKind> Create(IKubernetesClient client, InformerOptions options, ILoggerFactory loggerFactory)
    {
        WorkloadKind<T> Row<T>(string kind, ResourceType<T> resource, Func<T, PodTemplateSpec?> template, Func<T, IEnumerable<(string Type, string? Reason, string? Message)>?> conditions, Func<T, int?> maxPods)
            where T : class, IKubernetesObject<V1ObjectMeta>
        {
            var resourceClient = client.Resource(resource);
            var informer = new Informer<T>(resourceClient, options, loggerFactory.CreateLogger("informer." + resource.Resource.Plural));
            return new WorkloadKind<T>(kind, resource.Resource.Plural, informer, resourceClient, template, conditions, maxPods);
        }

        return
        [
            Row(WorkloadRef.Deployment, KubernetesResources.Deployments, d => d.Spec?.Template, d => d.Status?.Conditions?.Select(c => (c.Type, (string?)c.Reason, (string?)c.Message)), DeploymentMaxPods),
            Row(WorkloadRef.StatefulSet, KubernetesResources.StatefulSets, s => s.Spec?.Template, s => s.Status?.Conditions?.Select(c => (c.Type, (string?)c.Reason, (string?)c.Message)), s => s.Spec?.Replicas ?? 1),
            Row(WorkloadRef.DaemonSet, KubernetesResources.DaemonSets, d => d.Spec?.Template, d => d.Status?.Conditions?.Select(c => (c.Type, (string?)c.Reason, (string?)c.Message)), DaemonSetMaxPods),
        ];
    }

    /// <summary><c>replicas + maxSurge</c> (a Recreate Deployment never surges), as the budget counts a Deployment.</summary>
    internal static int? DeploymentMaxPods(V1Deployment deployment)
    {
        var replicas = deployment.Spec?.Replicas ?? 1;
        var recreate = deployment.Spec?.Strategy?.Type == "Recreate";
        return BudgetWorkload.Deployment("", replicas, deployment.Spec?.Strategy?.RollingUpdate?.MaxSurge?.Value, recreate).MaxPods;
    }

    private static int? DaemonSetMaxPods(V1DaemonSet daemonSet)
    {
        var scheduled = Math.Max(daemonSet.Status?.DesiredNumberScheduled ?? 0, daemonSet.Status?.CurrentNumberScheduled ?? 0);
        return scheduled + BudgetWorkload.Surge(scheduled, daemonSet.Spec?.UpdateStrategy?.RollingUpdate?.MaxSurge?.Value ?? "0");
    }
}

/// <summary>One workload kind of <see cref="WorkloadKinds"/>, whatever its model type.</summary>
public interface IWorkloadKind
{
    /// <summary>The kind as owner references name it (<c>Deployment</c>).</summary>
    string Kind { get; }

    /// <summary>The resource (<c>deployments</c>).</summary>
    string Plural { get; }

    bool HasSynced { get; }

    int CachedCount { get; }

    Task RunAsync(CancellationToken cancellationToken);

    Task WaitForSyncAsync(CancellationToken cancellationToken);

    /// <summary>Calls <paramref name="handler"/> on every add, update and delete with the workload's metadata and pod template.</summary>
    void OnTemplateChange(Action<V1ObjectMeta?, PodTemplateSpec?> handler);

    /// <summary>Calls <paramref name="handler"/> when the informer's list or watch keeps failing (with a probe that retries the verb).</summary>
    void OnSyncError(Action<InformerSyncError, Func<CancellationToken, Task>> handler);

    WorkloadState? Read(string ns, WorkloadRef reference);

    IEnumerable<WorkloadState> InNamespace(string ns);

    /// <summary>Patches the workload; false when it is gone.</summary>
    Task<bool> PatchAsync(string ns, string name, KubernetesPatch patch, CancellationToken cancellationToken);
}

internal sealed class WorkloadKind<T>(
    string kind,
    string plural,
    Informer<T> informer,
    IResourceClient<T> client,
    Func<T, PodTemplateSpec?> template,
    Func<T, IEnumerable<(string Type, string? Reason, string? Message)>?> conditions,
    Func<T, int?> maxPods) : IWorkloadKind
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    public string Kind => kind;

    public string Plural => plural;

    public bool HasSynced => informer.HasSynced;

    public int CachedCount => informer.Cache.Count;

    public Task RunAsync(CancellationToken cancellationToken) => informer.RunAsync(cancellationToken);

    public Task WaitForSyncAsync(CancellationToken cancellationToken) => informer.WaitForSyncAsync(cancellationToken);

    public void OnTemplateChange(Action<V1ObjectMeta?, PodTemplateSpec?> handler) =>
        informer.AddHandler(new ResourceEventHandler<T>(w => handler(w.Metadata, template(w)), (_, n) => handler(n.Metadata, template(n)), w => handler(w.Metadata, template(w))));

    public void OnSyncError(Action<InformerSyncError, Func<CancellationToken, Task>> handler) =>
        informer.SyncErrorChanged += (_, e) =>
        {
            if (e.Error is { } error)
            {
                handler(error, informer.CreateProbe(error.Verb));
            }
        };

    public WorkloadState? Read(string ns, WorkloadRef reference) =>
        informer.Cache.Get(ns, reference.Name) is { } workload ? State(reference, workload) : null;

    public IEnumerable<WorkloadState> InNamespace(string ns) =>
        informer.Cache.ListByNamespace(ns).Select(w => State(new WorkloadRef(kind, w.Metadata!.Name!), w));

    public async Task<bool> PatchAsync(string ns, string name, KubernetesPatch patch, CancellationToken cancellationToken)
    {
        try
        {
            await client.PatchAsync(name, ns, patch, cancellationToken: cancellationToken);
            return true;
        }
        catch (KubernetesNotFoundException)
        {
            return false; // gone meanwhile; its pods go with it
        }
    }

    private WorkloadState State(WorkloadRef reference, T workload)
    {
        var deadline = (conditions(workload) ?? []).FirstOrDefault(c => c.Type == "Progressing" && c.Reason == "ProgressDeadlineExceeded");
        return new WorkloadState
        {
            Ref = reference,
            TemplateAnnotations = template(workload)?.Metadata?.Annotations is { } annotations ? new Dictionary<string, string>(annotations) : new Dictionary<string, string>(),
            ProgressDeadlineExceeded = deadline.Type is not null,
            ProgressMessage = deadline.Message,
            MaxPods = maxPods(workload),
        };
    }
}
