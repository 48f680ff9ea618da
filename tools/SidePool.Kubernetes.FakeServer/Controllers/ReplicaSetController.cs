using System.Text.Json.Nodes;

namespace SidePool.Kubernetes.FakeServer.Controllers;

/// <summary>
/// The ReplicaSet controller: keeps <c>spec.replicas</c> active pods (not deleting, not Succeeded/Failed) owned by each
/// ReplicaSet. Pods are created from the template (<c>generateName: &lt;rs&gt;-</c>, controller owner reference) through the
/// admission chain as <c>system:serviceaccount:kube-system:replicaset-controller</c>; surplus pods are deleted in the
/// upstream order (unscheduled, pending, not ready, ready most recently, more restarts, newest first). Status: replicas,
/// fullyLabeledReplicas, readyReplicas, availableReplicas (<c>minReadySeconds</c>), terminatingReplicas,
/// observedGeneration and a <c>ReplicaFailure</c> condition when pods cannot be created.
/// </summary>
internal sealed class ReplicaSetController : ControllerLoop
{
    private readonly RequestContext _identity = RequestContext.ServiceAccount("kube-system", "replicaset-controller");

    public ReplicaSetController(ControllerContext context)
        : base(context)
    {
    }

    protected override ResourceDefinition Primary => Context.ReplicaSets;

    protected override IEnumerable<ResourceDefinition> Watched => [Context.ReplicaSets, Context.Pods];

    protected override string Name => "replicaset-controller";

    protected override IEnumerable<string> KeysFor(StoredEvent stored)
    {
        if (stored.StorageKey == Context.ReplicaSets.StorageKey)
        {
            return [Key(stored.Namespace, Workloads.Name(stored.Object))];
        }

        return new[] { stored.Object, stored.Previous }
            .OfType<JsonObject>()
            .Select(Workloads.ControllerReference)
            .OfType<JsonObject>()
            .Where(r => JsonNodes.GetString(r, "kind") == "ReplicaSet")
            .Select(r => Key(stored.Namespace, JsonNodes.GetString(r, "name")!))
            .Distinct(StringComparer.Ordinal);
    }

    protected override async Task ReconcileAsync(string @namespace, string name, CancellationToken cancellationToken)
    {
        var rs = Context.Get(Context.ReplicaSets, @namespace, name);
        if (rs is null || Workloads.Deleting(rs))
        {
            return;
        }

        var uid = Workloads.Uid(rs);
        var desired = Workloads.Int(rs["spec"]?["replicas"], 1);
        var active = Context.OwnedBy(Context.Pods, @namespace, uid).Where(Workloads.IsActive).ToList();
        string? failure = null;
        if (active.Count < desired)
        {
            for (var i = active.Count; i < desired; i++)
            {
                try
                {
                    await Context.Operations.CreateAsync(Context.Pods, @namespace, PodFromTemplate(rs), Context.Write(), _identity, cancellationToken);
                }
                catch (ApiException error)
                {
                    failure = error.Message;
                    break;
                }
            }
        }
        else if (active.Count > desired)
        {
            foreach (var pod in DeletionOrder(active).Take((int)(active.Count - desired)))
            {
                try
                {
                    Context.Operations.Delete(Context.Pods, @namespace, Workloads.Name(pod), new DeleteOptions(null, Workloads.Uid(pod), null, false));
                }
                catch (ApiException error) when (error.Code is 404 or 409)
                {
                }
            }
        }

        await UpdateStatusAsync(@namespace, name, failure, cancellationToken);
    }

    /// <summary><c>controller.GetPodFromTemplate</c>: labels, annotations and spec of the template, generateName, controller reference.</summary>
    private static JsonObject PodFromTemplate(JsonObject rs)
    {
        var template = rs["spec"]?["template"] as JsonObject ?? [];
        var metadata = new JsonObject { ["generateName"] = Workloads.Name(rs) + "-", ["namespace"] = Workloads.Namespace(rs) };
        foreach (var field in new[] { "labels", "annotations", "finalizers" })
        {
            if (template["metadata"]?[field] is { } value)
            {
                metadata[field] = value.DeepClone();
            }
        }

        metadata["ownerReferences"] = new JsonArray(Workloads.ControllerReferenceTo(rs, "apps/v1", "ReplicaSet"));
        return new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = metadata,
            ["spec"] = template["spec"]?.DeepClone() ?? new JsonObject(),
        };
    }

    /// <summary>The ranking of <c>controller.ActivePodsWithRanks</c>: the first pods are deleted first.</summary>
    private static IEnumerable<JsonObject> DeletionOrder(IEnumerable<JsonObject> pods) => pods
        .OrderBy(p => string.IsNullOrEmpty(JsonNodes.GetString(p["spec"], "nodeName")) ? 0 : 1)
        .ThenBy(p => Workloads.Phase(p) switch { "Pending" => 0, "Unknown" => 1, "Running" => 2, _ => 0 })
        .ThenBy(p => Workloads.IsReady(p) ? 1 : 0)
        .ThenByDescending(p => Workloads.IsReady(p) ? Workloads.ReadySince(p) ?? DateTimeOffset.MinValue : DateTimeOffset.MinValue)
        .ThenByDescending(p => (p["status"]?["containerStatuses"] as JsonArray)?.Sum(c => Workloads.Int(c?["restartCount"], 0)) ?? 0)
        .ThenByDescending(Workloads.Created)
        .ThenByDescending(Workloads.Name, StringComparer.Ordinal);

    private async Task UpdateStatusAsync(string @namespace, string name, string? failure, CancellationToken cancellationToken)
    {
        var rs = Context.Get(Context.ReplicaSets, @namespace, name);
        if (rs is null)
        {
            return;
        }

        var now = Context.Time.GetUtcNow();
        var minReadySeconds = Workloads.Int(rs["spec"]?["minReadySeconds"], 0);
        var owned = Context.OwnedBy(Context.Pods, @namespace, Workloads.Uid(rs));
        var active = owned.Where(Workloads.IsActive).ToList();
        var templateLabels = Workloads.TemplateLabels(rs);
        var status = rs["status"] is JsonObject current ? current.DeepClone().AsObject() : [];
        status["replicas"] = active.Count;
        status["fullyLabeledReplicas"] = active.Count(p => templateLabels.All(l => JsonNodes.Labels(p).TryGetValue(l.Key, out var v) && v == l.Value));
        status["readyReplicas"] = active.Count(Workloads.IsReady);
        status["availableReplicas"] = active.Count(p => Workloads.IsAvailable(p, minReadySeconds, now));
        status["terminatingReplicas"] = owned.Count(Workloads.IsTerminating);
        status["observedGeneration"] = Workloads.Generation(rs);
        if (failure is not null)
        {
            Workloads.SetCondition(status, "ReplicaFailure", "True", "FailedCreate", failure, JsonNodes.Timestamp(now), withLastUpdate: false);
        }
        else if (active.Count == Workloads.Int(rs["spec"]?["replicas"], 1))
        {
            Workloads.RemoveCondition(status, "ReplicaFailure");
        }

        if (minReadySeconds > 0 && active.Any(p => Workloads.IsReady(p) && !Workloads.IsAvailable(p, minReadySeconds, now)))
        {
            Queue.AddAfter(Key(@namespace, name), TimeSpan.FromSeconds(1), Context.Time, Stopping);
        }

        if (JsonNode.DeepEquals(status, rs["status"]))
        {
            return;
        }

        rs["status"] = status;
        await Context.Operations.UpdateAsync(Context.ReplicaSets, @namespace, name, "status", rs, Context.Write(), _identity, cancellationToken);
        if (failure is not null)
        {
            Queue.AddAfter(Key(@namespace, name), TimeSpan.FromSeconds(1), Context.Time, Stopping);
        }
    }
}
