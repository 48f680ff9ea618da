using System.Text.Json.Nodes;

namespace SidePool.Kubernetes.FakeServer;

/// <summary>Deletion: preconditions, finalizers, namespaces and owner-reference propagation (Orphan, Foreground).</summary>
internal sealed partial class ResourceOperations
{
    private static readonly string[] ProtectedNamespaces = ["default", "kube-system", "kube-public"];

    /// <summary>
    /// Deletes an object. An object removed at once is answered with a <c>Status</c> of <c>Success</c> (like the real
    /// server's generic registry) except for pods; an object kept by finalizers (or a terminating namespace) is returned.
    /// </summary>
    public JsonObject Delete(ResourceDefinition definition, string? @namespace, string name, DeleteOptions options)
    {
        JsonObject result;
        lock (_store.SyncRoot)
        {
            var outcome = DeleteLocked(definition, @namespace, name, options);
            var removed = !options.DryRun && _store.Get(definition, @namespace, name) is null;
            result = removed && !BuiltInResources.ReturnsDeletedObject(definition)
                ? StatusObjects.Success(definition, name, JsonNodes.MetaString(outcome, "uid") ?? string.Empty)
                : Output(definition, outcome);
        }

        DeletionHappened?.Invoke();
        return result;
    }

    public IReadOnlyList<JsonObject> DeleteCollection(ResourceDefinition definition, string? @namespace, ListOptions listOptions, DeleteOptions options)
    {
        var deleted = new List<JsonObject>();
        lock (_store.SyncRoot)
        {
            var page = ListLocked(definition, @namespace, listOptions with { Limit = 0, Continue = null });
            foreach (var item in page.Items)
            {
                var ns = JsonNodes.MetaString(item.Object, "namespace");
                deleted.Add(Output(definition, DeleteLocked(definition, ns, JsonNodes.MetaString(item.Object, "name")!, options)));
            }
        }

        DeletionHappened?.Invoke();
        return deleted;
    }

    /// <summary>Deletes (or starts deleting) one object and returns it. Store lock held.</summary>
    internal JsonObject DeleteLocked(ResourceDefinition definition, string? @namespace, string name, DeleteOptions options)
    {
        var current = _store.Get(definition, @namespace, name) ?? throw ApiException.NotFound(definition, name);
        var uid = JsonNodes.MetaString(current, "uid");
        if (options.PreconditionUid is { } expectedUid && expectedUid != uid)
        {
            throw ApiException.Conflict(definition, name, $"Precondition failed: UID in precondition: {expectedUid}, UID in object meta: {uid}");
        }

        var rv = JsonNodes.MetaString(current, "resourceVersion");
        if (options.PreconditionResourceVersion is { } expectedRv && expectedRv != rv)
        {
            throw ApiException.Conflict(definition, name, $"Precondition failed: ResourceVersion in precondition: {expectedRv}, ResourceVersion in object meta: {rv}");
        }

        if (BuiltInResources.IsNamespace(definition) && ProtectedNamespaces.Contains(name))
        {
            throw new ApiException(403, "Forbidden", $"namespaces \"{name}\" is forbidden: this namespace may not be deleted", new JsonObject { ["name"] = name, ["kind"] = "namespaces" });
        }

        if (options.DryRun)
        {
            return current;
        }

        switch (options.PropagationPolicy)
        {
            case "Orphan":
                OrphanDependents(uid);
                break;
            case "Foreground":
                DeleteDependentsNow(uid);
                break;
        }

        var now = _time.GetUtcNow();
        if (BuiltInResources.IsNamespace(definition))
        {
            if (current["metadata"]?["deletionTimestamp"] is not null)
            {
                return current;
            }

            var terminating = current.DeepClone().AsObject();
            JsonNodes.Metadata(terminating)["deletionTimestamp"] = JsonNodes.Timestamp(now);
            JsonNodes.Metadata(terminating)["deletionGracePeriodSeconds"] = 0;
            terminating["status"] = new JsonObject { ["phase"] = "Terminating" };
            return _store.Put(definition, terminating, current);
        }

        if (GracefulPodDeletion && IsPod(definition) && GracePeriodFor(current, options) is var grace && grace > 0)
        {
            return MarkPodTerminatingLocked(definition, current, grace, now);
        }

        if (JsonNodes.Finalizers(current).Count > 0)
        {
            if (current["metadata"]?["deletionTimestamp"] is not null)
            {
                return current;
            }

            var deleting = current.DeepClone().AsObject();
            var metadata = JsonNodes.Metadata(deleting);
            metadata["deletionTimestamp"] = JsonNodes.Timestamp(now);
            metadata["deletionGracePeriodSeconds"] = 0;
            if (JsonNodes.GetInt64(metadata["generation"]) is { } generation)
            {
                metadata["generation"] = generation + 1;
            }

            return _store.Put(definition, deleting, current);
        }

        return RemoveLocked(definition, current);
    }

    private static bool IsPod(ResourceDefinition definition) => definition.Group.Length == 0 && definition.Plural == "pods";

    /// <summary>
    /// The pod's grace period as the apiserver decides it: the request's, else <c>terminationGracePeriodSeconds</c> (30);
    /// 0 for a pod never scheduled or already Succeeded/Failed (deleted at once).
    /// </summary>
    private static long GracePeriodFor(JsonObject pod, DeleteOptions options)
    {
        if (string.IsNullOrEmpty(JsonNodes.GetString(pod["spec"], "nodeName")) || JsonNodes.GetString(pod["status"], "phase") is "Succeeded" or "Failed")
        {
            return 0;
        }

        return Math.Max(0, options.GracePeriodSeconds ?? JsonNodes.GetInt64(pod["spec"]?["terminationGracePeriodSeconds"]) ?? 30);
    }

    /// <summary>Graceful pod deletion: <c>deletionTimestamp</c> = now + grace, <c>deletionGracePeriodSeconds</c>; the kubelet removes the pod later. A shorter grace period than the current one moves the deadline closer.</summary>
    private JsonObject MarkPodTerminatingLocked(ResourceDefinition definition, JsonObject current, long grace, DateTimeOffset now)
    {
        var currentGrace = JsonNodes.GetInt64(current["metadata"]?["deletionGracePeriodSeconds"]);
        if (currentGrace is { } existing && existing <= grace)
        {
            return current;
        }

        var terminating = current.DeepClone().AsObject();
        var metadata = JsonNodes.Metadata(terminating);
        metadata["deletionTimestamp"] = JsonNodes.Timestamp(now.AddSeconds(grace));
        metadata["deletionGracePeriodSeconds"] = grace;
        if (JsonNodes.GetInt64(metadata["generation"]) is { } generation && currentGrace is null)
        {
            metadata["generation"] = generation + 1;
        }

        return _store.Put(definition, terminating, current);
    }

    /// <summary>The scheduler's binding: sets <c>spec.nodeName</c> and the PodScheduled condition (a direct store write; bindings are not admitted).</summary>
    public JsonObject? BindPod(ResourceDefinition definition, string @namespace, string name, string nodeName)
    {
        lock (_store.SyncRoot)
        {
            var current = _store.Get(definition, @namespace, name);
            if (current is null || current["metadata"]?["deletionTimestamp"] is not null || !string.IsNullOrEmpty(JsonNodes.GetString(current["spec"], "nodeName")))
            {
                return null;
            }

            var bound = current.DeepClone().AsObject();
            bound["spec"]!["nodeName"] = nodeName;
            var status = bound["status"] as JsonObject ?? [];
            var conditions = status["conditions"] as JsonArray ?? [];
            foreach (var unschedulable in conditions.OfType<JsonObject>().Where(c => JsonNodes.GetString(c, "type") == "PodScheduled").ToList())
            {
                conditions.Remove(unschedulable);
            }

            conditions.Add(new JsonObject
            {
                ["type"] = "PodScheduled",
                ["status"] = "True",
                ["lastProbeTime"] = null,
                ["lastTransitionTime"] = JsonNodes.Timestamp(_time.GetUtcNow()),
            });
            status["conditions"] = conditions;
            bound["status"] = status;
            return _store.Put(definition, bound, current);
        }
    }

    /// <summary>
    /// The scheduler found no node for the pod: PodScheduled False, reason Unschedulable, with its message (the condition's
    /// lastTransitionTime kept while the message only changes); null when the pod is gone, deleting, bound, or already says so.
    /// </summary>
    public JsonObject? MarkPodUnschedulable(ResourceDefinition definition, string @namespace, string name, string message)
    {
        lock (_store.SyncRoot)
        {
            var current = _store.Get(definition, @namespace, name);
            if (current is null || current["metadata"]?["deletionTimestamp"] is not null || !string.IsNullOrEmpty(JsonNodes.GetString(current["spec"], "nodeName")))
            {
                return null;
            }

            var pending = current.DeepClone().AsObject();
            var status = pending["status"] as JsonObject ?? [];
            var conditions = status["conditions"] as JsonArray ?? [];
            var existing = conditions.OfType<JsonObject>().FirstOrDefault(c => JsonNodes.GetString(c, "type") == "PodScheduled");
            if (existing is not null && JsonNodes.GetString(existing, "status") == "False" && JsonNodes.GetString(existing, "message") == message)
            {
                return null;
            }

            var transition = existing is not null && JsonNodes.GetString(existing, "status") == "False"
                ? existing["lastTransitionTime"]?.DeepClone()
                : JsonNodes.Timestamp(_time.GetUtcNow());
            if (existing is not null)
            {
                conditions.Remove(existing);
            }

            conditions.Add(new JsonObject
            {
                ["type"] = "PodScheduled",
                ["status"] = "False",
                ["lastProbeTime"] = null,
                ["lastTransitionTime"] = transition,
                ["reason"] = "Unschedulable",
                ["message"] = message,
            });
            status["phase"] ??= "Pending";
            status["conditions"] = conditions;
            pending["status"] = status;
            return _store.Put(definition, pending, current);
        }
    }

    private JsonObject RemoveLocked(ResourceDefinition definition, JsonObject current)
    {
        var removed = _store.Remove(definition, current);
        if (BuiltInResources.IsCustomResourceDefinition(definition))
        {
            _crds.Removed(current);
        }

        return removed;
    }

    private void OrphanDependents(string? ownerUid)
    {
        if (ownerUid is null)
        {
            return;
        }

        foreach (var (definition, obj) in ObjectsWithOwner(ownerUid))
        {
            var updated = obj.DeepClone().AsObject();
            var refs = (JsonArray)updated["metadata"]!["ownerReferences"]!;
            foreach (var reference in refs.Where(r => JsonNodes.GetString(r, "uid") == ownerUid).ToList())
            {
                refs.Remove(reference);
            }

            if (refs.Count == 0)
            {
                JsonNodes.Metadata(updated).Remove("ownerReferences");
            }

            _store.Put(definition, updated, obj);
        }
    }

    private void DeleteDependentsNow(string? ownerUid)
    {
        if (ownerUid is null)
        {
            return;
        }

        foreach (var (definition, obj) in ObjectsWithOwner(ownerUid))
        {
            if (_store.Get(definition, JsonNodes.MetaString(obj, "namespace"), JsonNodes.MetaString(obj, "name")!) is not null)
            {
                DeleteLocked(definition, JsonNodes.MetaString(obj, "namespace"), JsonNodes.MetaString(obj, "name")!, new DeleteOptions("Foreground", null, null, false));
            }
        }
    }

    private List<(ResourceDefinition Definition, JsonObject Object)> ObjectsWithOwner(string ownerUid)
    {
        var definitions = _registry.StorageDefinitions().ToDictionary(d => d.StorageKey);
        var result = new List<(ResourceDefinition, JsonObject)>();
        foreach (var (storageKey, obj) in _store.All())
        {
            if (obj["metadata"]?["ownerReferences"] is JsonArray refs && refs.Any(r => JsonNodes.GetString(r, "uid") == ownerUid)
                && definitions.TryGetValue(storageKey, out var definition))
            {
                result.Add((definition, obj));
            }
        }

        return result;
    }
}
