using System.Globalization;
using System.Text.Json.Nodes;

namespace SidePool.Kubernetes.FakeServer.Controllers;

/// <summary>
/// The StatefulSet controller, <c>OrderedReady</c> by default: pods <c>&lt;name&gt;-0 … &lt;name&gt;-(n-1)</c> are created one at a
/// time, each only once the previous ones are Running and Ready; surplus ordinals are deleted from the highest, one at a
/// time; <c>RollingUpdate</c> replaces pods whose <c>controller-revision-hash</c> is not the update revision from the
/// highest ordinal down to <c>partition</c>, one at a time, waiting for each to be Ready again; <c>OnDelete</c> only
/// recreates deleted pods; <c>Parallel</c> creates and deletes without waiting. Pods get the labels
/// <c>controller-revision-hash</c>, <c>statefulset.kubernetes.io/pod-name</c> and <c>apps.kubernetes.io/pod-index</c>.
/// Status: replicas, readyReplicas, availableReplicas, currentReplicas, updatedReplicas, currentRevision,
/// updateRevision, observedGeneration, collisionCount. ControllerRevision objects and volume claims are not created.
/// </summary>
internal sealed class StatefulSetController : ControllerLoop
{
    private const string RevisionLabel = "controller-revision-hash";
    private readonly RequestContext _identity = RequestContext.ServiceAccount("kube-system", "statefulset-controller");

    public StatefulSetController(ControllerContext context)
        : base(context)
    {
    }

    protected override ResourceDefinition Primary => Context.StatefulSets;

    protected override IEnumerable<ResourceDefinition> Watched => [Context.StatefulSets, Context.Pods];

    protected override string Name => "statefulset-controller";

    protected override IEnumerable<string> KeysFor(StoredEvent stored)
    {
        if (stored.StorageKey == Context.StatefulSets.StorageKey)
        {
            return [Key(stored.Namespace, Workloads.Name(stored.Object))];
        }

        return new[] { stored.Object, stored.Previous }.OfType<JsonObject>()
            .Select(Workloads.ControllerReference).OfType<JsonObject>()
            .Where(r => JsonNodes.GetString(r, "kind") == "StatefulSet")
            .Select(r => Key(stored.Namespace, JsonNodes.GetString(r, "name")!))
            .Distinct(StringComparer.Ordinal);
    }

    protected override async Task ReconcileAsync(string @namespace, string name, CancellationToken cancellationToken)
    {
        var set = Context.Get(Context.StatefulSets, @namespace, name);
        if (set is null || Workloads.Deleting(set))
        {
            return;
        }

        var replicas = Workloads.Int(set["spec"]?["replicas"], 1);
        var collisions = JsonNodes.GetInt64(set["status"]?["collisionCount"]) ?? 0;
        var updateRevision = $"{name}-{Workloads.TemplateHash(set["spec"]?["template"], collisions > 0 ? collisions : null)}";
        var currentRevision = JsonNodes.GetString(set["status"], "currentRevision") ?? updateRevision;
        var parallel = JsonNodes.GetString(set["spec"], "podManagementPolicy") == "Parallel";
        var strategy = JsonNodes.GetString(set["spec"]?["updateStrategy"], "type") ?? "RollingUpdate";
        var partition = Workloads.Int(set["spec"]?["updateStrategy"]?["rollingUpdate"]?["partition"], 0);
        var pods = Context.OwnedBy(Context.Pods, @namespace, Workloads.Uid(set))
            .Where(p => Ordinal(name, p) >= 0)
            .ToDictionary(p => Ordinal(name, p));

        await ManageAsync(set, pods, replicas, updateRevision, currentRevision, parallel, strategy, partition, cancellationToken);
        await UpdateStatusAsync(set, replicas, updateRevision, currentRevision, cancellationToken);
    }

    private static int Ordinal(string setName, JsonObject pod)
    {
        var podName = Workloads.Name(pod);
        var prefix = setName + "-";
        return podName.StartsWith(prefix, StringComparison.Ordinal) && int.TryParse(podName.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var ordinal) ? ordinal : -1;
    }

    private static bool RunningAndReady(JsonObject pod) => Workloads.Phase(pod) == "Running" && Workloads.IsReady(pod) && !Workloads.Deleting(pod);

    private async Task ManageAsync(JsonObject set, Dictionary<int, JsonObject> pods, long replicas, string updateRevision, string currentRevision, bool parallel, string strategy, long partition, CancellationToken cancellationToken)
    {
        var ns = Workloads.Namespace(set);
        for (var ordinal = 0; ordinal < replicas; ordinal++)
        {
            if (!pods.TryGetValue(ordinal, out var pod))
            {
                var revision = strategy == "RollingUpdate" && ordinal < partition ? currentRevision : updateRevision;
                await Context.Operations.CreateAsync(Context.Pods, ns, PodFor(set, ordinal, revision), Context.Write(), _identity, cancellationToken);
                if (!parallel)
                {
                    return;
                }

                continue;
            }

            if (Workloads.Phase(pod) == "Failed" && !Workloads.Deleting(pod))
            {
                Delete(pod);
                return;
            }

            if (!parallel && !RunningAndReady(pod))
            {
                return;
            }
        }

        var condemned = pods.Where(p => p.Key >= replicas).OrderByDescending(p => p.Key).Select(p => p.Value).ToList();
        if (!parallel && condemned.Any(Workloads.Deleting))
        {
            return;
        }

        foreach (var pod in condemned.Where(p => !Workloads.Deleting(p)))
        {
            Delete(pod);
            if (!parallel)
            {
                return;
            }
        }

        if (strategy != "RollingUpdate")
        {
            return;
        }

        for (var ordinal = (int)replicas - 1; ordinal >= partition; ordinal--)
        {
            if (!pods.TryGetValue(ordinal, out var pod))
            {
                return;
            }

            if (JsonNodes.Labels(pod).GetValueOrDefault(RevisionLabel) != updateRevision)
            {
                if (!Workloads.Deleting(pod))
                {
                    Delete(pod);
                }

                return;
            }

            if (!RunningAndReady(pod))
            {
                return;
            }
        }
    }

    private void Delete(JsonObject pod)
    {
        try
        {
            Context.Operations.Delete(Context.Pods, Workloads.Namespace(pod), Workloads.Name(pod), new DeleteOptions(null, Workloads.Uid(pod), null, false));
        }
        catch (ApiException error) when (error.Code is 404 or 409)
        {
        }
    }

    private static JsonObject PodFor(JsonObject set, int ordinal, string revision)
    {
        var name = $"{Workloads.Name(set)}-{ordinal.ToString(CultureInfo.InvariantCulture)}";
        var template = set["spec"]?["template"] as JsonObject ?? [];
        var labels = template["metadata"]?["labels"]?.DeepClone() as JsonObject ?? [];
        labels[RevisionLabel] = revision;
        labels["statefulset.kubernetes.io/pod-name"] = name;
        labels["apps.kubernetes.io/pod-index"] = ordinal.ToString(CultureInfo.InvariantCulture);
        var metadata = new JsonObject { ["name"] = name, ["namespace"] = Workloads.Namespace(set), ["labels"] = labels };
        if (template["metadata"]?["annotations"] is { } annotations)
        {
            metadata["annotations"] = annotations.DeepClone();
        }

        metadata["ownerReferences"] = new JsonArray(Workloads.ControllerReferenceTo(set, "apps/v1", "StatefulSet"));
        var spec = template["spec"]?.DeepClone() as JsonObject ?? [];
        spec["hostname"] = name;
        if (JsonNodes.GetString(set["spec"], "serviceName") is { Length: > 0 } service)
        {
            spec["subdomain"] = service;
        }

        return new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Pod", ["metadata"] = metadata, ["spec"] = spec };
    }

    private async Task UpdateStatusAsync(JsonObject set, long replicas, string updateRevision, string currentRevision, CancellationToken cancellationToken)
    {
        var name = Workloads.Name(set);
        var ns = Workloads.Namespace(set);
        var fresh = Context.Get(Context.StatefulSets, ns, name);
        if (fresh is null)
        {
            return;
        }

        var now = Context.Time.GetUtcNow();
        var minReadySeconds = Workloads.Int(fresh["spec"]?["minReadySeconds"], 0);
        var pods = Context.OwnedBy(Context.Pods, ns, Workloads.Uid(fresh)).Where(p => Ordinal(name, p) >= 0 && !Workloads.Deleting(p)).ToList();
        var updated = pods.Count(p => JsonNodes.Labels(p).GetValueOrDefault(RevisionLabel) == updateRevision);
        var ready = pods.Count(Workloads.IsReady);
        if (updated == replicas && ready == replicas && pods.Count == replicas)
        {
            currentRevision = updateRevision;
        }

        var status = fresh["status"] is JsonObject existing ? existing.DeepClone().AsObject() : [];
        status["observedGeneration"] = Workloads.Generation(fresh);
        status["replicas"] = pods.Count;
        status["readyReplicas"] = ready;
        status["currentReplicas"] = pods.Count(p => JsonNodes.Labels(p).GetValueOrDefault(RevisionLabel) == currentRevision);
        status["updatedReplicas"] = updated;
        status["currentRevision"] = currentRevision;
        status["updateRevision"] = updateRevision;
        status["collisionCount"] = JsonNodes.GetInt64(status["collisionCount"]) ?? 0;
        status["availableReplicas"] = pods.Count(p => Workloads.IsAvailable(p, minReadySeconds, now));
        if (JsonNode.DeepEquals(status, fresh["status"]))
        {
            return;
        }

        fresh["status"] = status;
        await Context.Operations.UpdateAsync(Context.StatefulSets, ns, name, "status", fresh, Context.Write(), _identity, cancellationToken);
    }
}
