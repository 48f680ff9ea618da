using System.Text.Json.Nodes;
using SidePool.Core;
using SidePool.Kubernetes.Client;

namespace SidePool.Operator.Controller;

/// <summary>
/// The workloads the operator rolls (the rows of <see cref="WorkloadKinds"/>): read their pod template and progress
/// from the caches, list them, and patch their pod-template annotations (a merge patch of only
/// those keys: the operator does not own workloads).
/// </summary>
public sealed class Workloads(ClusterView view)
{
    private readonly Dictionary<string, IWorkloadKind> _kinds = view.Workloads.ToDictionary(k => k.Kind, StringComparer.Ordinal);

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
}
