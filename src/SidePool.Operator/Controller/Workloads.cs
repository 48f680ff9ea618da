using System.Text.Json.Nodes;
using SidePool.Core;
using SidePool.Kubernetes.Client;
using SidePool.Kubernetes.Errors;
using SidePool.Kubernetes.Runtime.Informers;

namespace SidePool.Operator.Controller;

/// <summary>
/// The workloads the operator rolls (Deployments, StatefulSets, DaemonSets) behind one table: read their pod
/// template and progress from the caches, list them, and patch their pod-template annotations (a merge patch of only
/// those keys: the operator does not own workloads).
/// </summary>
public sealed class Workloads
{
    private readonly Dictionary<string, IWorkloadKind> _kinds;

    public Workloads(ClusterView view, IKubernetesClient client)
    {
        _kinds = new IWorkloadKind[]
        {
            new WorkloadKind<Deployment>(WorkloadRef.Deployment, view.Deployments, client.Resource(KubernetesResources.Deployments), d => d.Spec?.Template, d => (d.Status?.Conditions ?? []).Select(c => (c.Type, c.Status, (string?)c.Reason, (string?)c.Message))),
            new WorkloadKind<StatefulSet>(WorkloadRef.StatefulSet, view.StatefulSets, client.Resource(KubernetesResources.StatefulSets), s => s.Spec?.Template, s => (s.Status?.Conditions ?? []).Select(c => (c.Type, c.Status, (string?)c.Reason, (string?)c.Message))),
            new WorkloadKind<DaemonSet>(WorkloadRef.DaemonSet, view.DaemonSets, client.Resource(KubernetesResources.DaemonSets), d => d.Spec?.Template, d => (d.Status?.Conditions ?? []).Select(c => (c.Type, c.Status, (string?)c.Reason, (string?)c.Message))),
        }.ToDictionary(k => k.Kind, StringComparer.Ordinal);
    }

    /// <summary>The workload as the planner and status see it, or null when it is not a restartable kind or not cached.</summary>
    public WorkloadState? Read(string ns, WorkloadRef reference) =>
        _kinds.TryGetValue(reference.Kind, out var kind) ? kind.Read(ns, reference) : null;

    /// <summary>Every cached workload of the namespace, with its pod-template annotations.</summary>
    public IEnumerable<WorkloadState> InNamespace(string ns) => _kinds.Values.SelectMany(k => k.InNamespace(ns));

    /// <summary>
    /// Sets (or, for a null value, removes) pod-template annotations of one workload. False when the workload is gone.
    /// </summary>
    public Task<bool> PatchTemplateAnnotationsAsync(string ns, WorkloadRef reference, IReadOnlyDictionary<string, string?> annotations, CancellationToken cancellationToken)
    {
        if (!_kinds.TryGetValue(reference.Kind, out var kind))
        {
            throw new InvalidOperationException($"{reference} cannot be stamped");
        }

        var values = new JsonObject();
        foreach (var (key, value) in annotations)
        {
            values[key] = value;
        }

        var patch = KubernetesPatch.Merge(new JsonObject
        {
            ["spec"] = new JsonObject { ["template"] = new JsonObject { ["metadata"] = new JsonObject { ["annotations"] = values } } },
        });
        return kind.PatchAsync(ns, reference.Name, patch, cancellationToken);
    }

    private interface IWorkloadKind
    {
        string Kind { get; }

        WorkloadState? Read(string ns, WorkloadRef reference);

        IEnumerable<WorkloadState> InNamespace(string ns);

        Task<bool> PatchAsync(string ns, string name, KubernetesPatch patch, CancellationToken cancellationToken);
    }

    private sealed class WorkloadKind<T>(
        string kind,
        Informer<T> informer,
        IResourceClient<T> client,
        Func<T, PodTemplateSpec?> template,
        Func<T, IEnumerable<(string Type, string Status, string? Reason, string? Message)>> conditions) : IWorkloadKind
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        public string Kind => kind;

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
            var deadline = conditions(workload).FirstOrDefault(c => c.Type == "Progressing" && c.Reason == "ProgressDeadlineExceeded");
            return new WorkloadState
            {
                Ref = reference,
                TemplateAnnotations = template(workload)?.Metadata?.Annotations is { } annotations ? new Dictionary<string, string>(annotations) : new Dictionary<string, string>(),
                ProgressDeadlineExceeded = deadline.Type is not null,
                ProgressMessage = deadline.Message,
            };
        }
    }
}
