using System.Globalization;
using System.Text.Json.Nodes;

namespace SidePool.Kubernetes.FakeServer.Controllers;

/// <summary>
/// The Deployment controller (after kube-controller-manager's <c>pkg/controller/deployment</c>): one ReplicaSet per distinct
/// pod template, named <c>&lt;deployment&gt;-&lt;pod-template-hash&gt;</c> with the hash label on its selector, template and
/// pods; <c>RollingUpdate</c> (<c>maxSurge</c> rounded up, <c>maxUnavailable</c> rounded down, 25%/25% by default; old
/// ReplicaSets shrink only as available pods allow), <c>Recreate</c>, proportional scaling when <c>spec.replicas</c> changes
/// mid-rollout, <c>paused</c>, <c>revisionHistoryLimit</c> and the revision annotations, and the status (replicas,
/// updated/ready/available/unavailable/terminating replicas, observedGeneration, the Available and Progressing conditions
/// with the upstream reasons, <c>progressDeadlineSeconds</c>). Adoption of orphaned ReplicaSets and rollback are not done.
/// </summary>
internal sealed class DeploymentController : ControllerLoop
{
    private const string HashLabel = "pod-template-hash";
    private const string RevisionAnnotation = "deployment.kubernetes.io/revision";
    private const string DesiredReplicasAnnotation = "deployment.kubernetes.io/desired-replicas";
    private const string MaxReplicasAnnotation = "deployment.kubernetes.io/max-replicas";
    private static readonly HashSet<string> NotCopiedAnnotations =
    [
        "kubectl.kubernetes.io/last-applied-configuration", RevisionAnnotation, "deployment.kubernetes.io/revision-history",
        DesiredReplicasAnnotation, MaxReplicasAnnotation, "deprecated.deployment.rollback.to",
    ];

    private readonly RequestContext _identity = RequestContext.ServiceAccount("kube-system", "deployment-controller");

    public DeploymentController(ControllerContext context)
        : base(context)
    {
    }

    protected override ResourceDefinition Primary => Context.Deployments;

    protected override IEnumerable<ResourceDefinition> Watched => [Context.Deployments, Context.ReplicaSets, Context.Pods];

    protected override string Name => "deployment-controller";

    protected override IEnumerable<string> KeysFor(StoredEvent stored)
    {
        if (stored.StorageKey == Context.Deployments.StorageKey)
        {
            return [Key(stored.Namespace, Workloads.Name(stored.Object))];
        }

        if (stored.StorageKey == Context.ReplicaSets.StorageKey)
        {
            return OwnerKeys(stored, "Deployment");
        }

        // A pod matters to a Deployment only for Recreate's "old pods still running" check: map it through its ReplicaSet.
        if (stored.Type != "DELETED")
        {
            return [];
        }

        var rsNames = new[] { stored.Object }.Select(Workloads.ControllerReference).OfType<JsonObject>()
            .Where(r => JsonNodes.GetString(r, "kind") == "ReplicaSet").Select(r => JsonNodes.GetString(r, "name")!).ToList();
        return rsNames.Select(n => Context.Get(Context.ReplicaSets, stored.Namespace, n)).OfType<JsonObject>()
            .Select(Workloads.ControllerReference).OfType<JsonObject>()
            .Where(r => JsonNodes.GetString(r, "kind") == "Deployment")
            .Select(r => Key(stored.Namespace, JsonNodes.GetString(r, "name")!))
            .ToList();
    }

    protected override async Task ReconcileAsync(string @namespace, string name, CancellationToken cancellationToken)
    {
        var d = Context.Get(Context.Deployments, @namespace, name);
        if (d is null)
        {
            return;
        }

        var rsList = Context.OwnedBy(Context.ReplicaSets, @namespace, Workloads.Uid(d));
        if (Workloads.Deleting(d))
        {
            var (newRs, oldRss) = Split(d, rsList);
            await SyncStatusAsync(d, newRs, oldRss, cancellationToken);
            return;
        }

        d = await CheckPausedConditionsAsync(d, cancellationToken);
        if (Paused(d) || IsScalingEvent(d, rsList))
        {
            await SyncAsync(d, rsList, cancellationToken);
            return;
        }

        if (JsonNodes.GetString(d["spec"]?["strategy"], "type") == "Recreate")
        {
            await RolloutRecreateAsync(d, rsList, cancellationToken);
        }
        else
        {
            await RolloutRollingAsync(d, rsList, cancellationToken);
        }
    }

    private static IEnumerable<string> OwnerKeys(StoredEvent stored, string kind) =>
        new[] { stored.Object, stored.Previous }.OfType<JsonObject>()
            .Select(Workloads.ControllerReference).OfType<JsonObject>()
            .Where(r => JsonNodes.GetString(r, "kind") == kind)
            .Select(r => Key(stored.Namespace, JsonNodes.GetString(r, "name")!))
            .Distinct(StringComparer.Ordinal);

    private static long Replicas(JsonObject d) => Workloads.Int(d["spec"]?["replicas"], 1);

    private static long SpecReplicas(JsonObject rs) => Workloads.Int(rs["spec"]?["replicas"], 1);

    private static long StatusReplicas(JsonObject rs) => Workloads.Int(rs["status"]?["replicas"], 0);

    private static long Available(JsonObject rs) => Workloads.Int(rs["status"]?["availableReplicas"], 0);

    private static bool Paused(JsonObject d) => d["spec"]?["paused"] is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.True;

    private static bool IsRollingUpdate(JsonObject d) => JsonNodes.GetString(d["spec"]?["strategy"], "type") is null or "RollingUpdate";

    private static long Revision(JsonObject rs) =>
        long.TryParse(JsonNodes.GetString(rs["metadata"]?["annotations"], RevisionAnnotation), NumberStyles.None, CultureInfo.InvariantCulture, out var r) ? r : 0;

    private static long? Annotation(JsonObject rs, string key) =>
        long.TryParse(JsonNodes.GetString(rs["metadata"]?["annotations"], key), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) ? v : null;

    private static bool HasProgressDeadline(JsonObject d) => Workloads.Int(d["spec"]?["progressDeadlineSeconds"], 600) != int.MaxValue;

    /// <summary><c>deploymentutil.ResolveFenceposts</c>: surge rounded up, unavailable rounded down, never both zero.</summary>
    private static (long Surge, long Unavailable) Fenceposts(JsonObject d)
    {
        var rolling = d["spec"]?["strategy"]?["rollingUpdate"];
        var desired = Replicas(d);
        var surge = Workloads.Scaled(rolling?["maxSurge"], "25%", desired, roundUp: true);
        var unavailable = Workloads.Scaled(rolling?["maxUnavailable"], "25%", desired, roundUp: false);
        return surge == 0 && unavailable == 0 ? (0, 1) : (surge, unavailable);
    }

    private static long MaxSurge(JsonObject d) => IsRollingUpdate(d) ? Fenceposts(d).Surge : 0;

    private static long MaxUnavailable(JsonObject d)
    {
        if (!IsRollingUpdate(d) || Replicas(d) == 0)
        {
            return 0;
        }

        return Math.Min(Fenceposts(d).Unavailable, Replicas(d));
    }

    /// <summary>Templates equal apart from the pod-template-hash label (<c>controller.EqualIgnoreHash</c>).</summary>
    private static bool EqualIgnoreHash(JsonNode? a, JsonNode? b) => Workloads.Canonical(WithoutHash(a)) == Workloads.Canonical(WithoutHash(b));

    private static JsonNode? WithoutHash(JsonNode? template)
    {
        var copy = template?.DeepClone() as JsonObject ?? [];
        if (copy["metadata"] is JsonObject metadata && metadata["labels"] is JsonObject labels)
        {
            labels.Remove(HashLabel);
            if (labels.Count == 0)
            {
                metadata.Remove("labels");
            }
        }

        if (copy["metadata"] is JsonObject { Count: 0 })
        {
            copy.Remove("metadata");
        }

        return copy;
    }

    /// <summary>The new ReplicaSet (oldest whose template matches) and the others.</summary>
    private static (JsonObject? New, List<JsonObject> Old) Split(JsonObject d, List<JsonObject> rsList)
    {
        var template = d["spec"]?["template"];
        var newRs = rsList.OrderBy(Workloads.Created).ThenBy(Workloads.Name, StringComparer.Ordinal)
            .FirstOrDefault(rs => EqualIgnoreHash(rs["spec"]?["template"], template));
        return (newRs, rsList.Where(rs => !ReferenceEquals(rs, newRs)).ToList());
    }

    private static List<JsonObject> Active(IEnumerable<JsonObject?> rss) => rss.OfType<JsonObject>().Where(rs => SpecReplicas(rs) > 0).ToList();

    private bool IsScalingEvent(JsonObject d, List<JsonObject> rsList)
    {
        var (newRs, oldRss) = Split(d, rsList);
        return Active(oldRss.Append(newRs)).Any(rs => Annotation(rs, DesiredReplicasAnnotation) is { } desired && desired != Replicas(d));
    }

    private async Task<JsonObject> CheckPausedConditionsAsync(JsonObject d, CancellationToken cancellationToken)
    {
        if (!HasProgressDeadline(d))
        {
            return d;
        }

        var reason = JsonNodes.GetString(Workloads.Condition(d, "Progressing"), "reason");
        var status = d["status"] as JsonObject ?? [];
        var now = JsonNodes.Timestamp(Context.Time.GetUtcNow());
        if (Paused(d) && reason != "DeploymentPaused")
        {
            Workloads.SetCondition(status, "Progressing", "Unknown", "DeploymentPaused", "Deployment is paused", now, withLastUpdate: true);
        }
        else if (!Paused(d) && reason == "DeploymentPaused")
        {
            Workloads.SetCondition(status, "Progressing", "Unknown", "DeploymentResumed", "Deployment is resumed", now, withLastUpdate: true);
        }
        else
        {
            return d;
        }

        d["status"] = status;
        return await WriteStatusAsync(d, cancellationToken);
    }

    /// <summary><c>sync</c>: a scaling event or a paused deployment; scale, clean up when paused, status.</summary>
    private async Task SyncAsync(JsonObject d, List<JsonObject> rsList, CancellationToken cancellationToken)
    {
        var (newRs, oldRss) = await NewAndOldAsync(d, rsList, create: false, cancellationToken);
        await ScaleAsync(d, newRs, oldRss, cancellationToken);
        if (Paused(d))
        {
            await CleanupAsync(d, oldRss);
        }

        await SyncStatusAsync(d, newRs, oldRss, cancellationToken);
    }

    private async Task RolloutRollingAsync(JsonObject d, List<JsonObject> rsList, CancellationToken cancellationToken)
    {
        var (newRs, oldRss) = await NewAndOldAsync(d, rsList, create: true, cancellationToken);
        var all = oldRss.Append(newRs!).ToList();
        if (await ReconcileNewAsync(d, all, newRs!, cancellationToken) || await ReconcileOldAsync(d, oldRss, newRs!, cancellationToken))
        {
            await SyncRolloutStatusAsync(d, newRs, oldRss, cancellationToken);
            return;
        }

        if (Complete(d, d["status"] as JsonObject ?? []))
        {
            await CleanupAsync(d, oldRss);
        }

        await SyncRolloutStatusAsync(d, newRs, oldRss, cancellationToken);
    }

    private async Task RolloutRecreateAsync(JsonObject d, List<JsonObject> rsList, CancellationToken cancellationToken)
    {
        var (newRs, oldRss) = await NewAndOldAsync(d, rsList, create: false, cancellationToken);
        var scaledDown = false;
        foreach (var rs in Active(oldRss))
        {
            scaledDown |= await ScaleReplicaSetAsync(d, rs, 0, cancellationToken);
        }

        if (scaledDown || OldPodsRunning(oldRss))
        {
            await SyncRolloutStatusAsync(d, newRs, oldRss, cancellationToken);
            return;
        }

        if (newRs is null)
        {
            (newRs, oldRss) = await NewAndOldAsync(d, Context.OwnedBy(Context.ReplicaSets, Workloads.Namespace(d), Workloads.Uid(d)), create: true, cancellationToken);
        }

        await ScaleReplicaSetAsync(d, newRs!, Replicas(d), cancellationToken);
        if (Complete(d, d["status"] as JsonObject ?? []))
        {
            await CleanupAsync(d, oldRss);
        }

        await SyncRolloutStatusAsync(d, newRs, oldRss, cancellationToken);
    }

    /// <summary>Recreate waits until no pod of an old ReplicaSet exists any more (terminating ones included) and none reports replicas.</summary>
    private bool OldPodsRunning(List<JsonObject> oldRss)
    {
        if (oldRss.Any(rs => StatusReplicas(rs) > 0))
        {
            return true;
        }

        return oldRss.Any(rs => Context.OwnedBy(Context.Pods, Workloads.Namespace(rs), Workloads.Uid(rs)).Any(p => Workloads.Phase(p) is not ("Succeeded" or "Failed")));
    }

    /// <summary><c>getAllReplicaSetsAndSyncRevision</c>: finds (or creates) the new ReplicaSet and keeps the revision annotations in step.</summary>
    private async Task<(JsonObject? New, List<JsonObject> Old)> NewAndOldAsync(JsonObject d, List<JsonObject> rsList, bool create, CancellationToken cancellationToken)
    {
        var (existing, oldRss) = Split(d, rsList);
        var newRevision = (oldRss.Count == 0 ? 0 : oldRss.Max(Revision)) + 1;
        var now = JsonNodes.Timestamp(Context.Time.GetUtcNow());
        if (existing is not null)
        {
            var minReadyChanged = !JsonNode.DeepEquals(existing["spec"]?["minReadySeconds"], d["spec"]?["minReadySeconds"]);
            if (SetNewReplicaSetAnnotations(d, existing, newRevision, exists: true) || minReadyChanged)
            {
                CopyMinReadySeconds(d, existing);
                existing = await Context.Operations.UpdateAsync(Context.ReplicaSets, Workloads.Namespace(existing), Workloads.Name(existing), string.Empty, existing, Context.Write(), _identity, cancellationToken);
            }

            await SetDeploymentRevisionAsync(d, Revision(existing), cancellationToken);
            if (HasProgressDeadline(d) && Workloads.Condition(d, "Progressing") is null)
            {
                var status = d["status"] as JsonObject ?? [];
                Workloads.SetCondition(status, "Progressing", "True", "FoundNewReplicaSet", $"Found new replica set \"{Workloads.Name(existing)}\"", now, withLastUpdate: true);
                d["status"] = status;
                await WriteStatusAsync(d, cancellationToken);
            }

            return (existing, oldRss);
        }

        if (!create)
        {
            return (null, oldRss);
        }

        var template = d["spec"]!["template"]!.DeepClone().AsObject();
        var hash = Workloads.TemplateHash(d["spec"]!["template"], JsonNodes.GetInt64(d["status"]?["collisionCount"]));
        var templateMetadata = JsonNodes.Metadata(template);
        var labels = templateMetadata["labels"] as JsonObject ?? [];
        labels[HashLabel] = hash;
        templateMetadata["labels"] = labels;
        var selector = d["spec"]?["selector"]?.DeepClone() as JsonObject ?? [];
        var matchLabels = selector["matchLabels"] as JsonObject ?? [];
        matchLabels[HashLabel] = hash;
        selector["matchLabels"] = matchLabels;
        var rs = new JsonObject
        {
            ["apiVersion"] = "apps/v1",
            ["kind"] = "ReplicaSet",
            ["metadata"] = new JsonObject
            {
                ["name"] = $"{Workloads.Name(d)}-{hash}",
                ["namespace"] = Workloads.Namespace(d),
                ["labels"] = labels.DeepClone(),
                ["ownerReferences"] = new JsonArray(Workloads.ControllerReferenceTo(d, "apps/v1", "Deployment")),
            },
            ["spec"] = new JsonObject { ["replicas"] = 0, ["selector"] = selector, ["template"] = template },
        };
        CopyMinReadySeconds(d, rs);
        rs["spec"]!["replicas"] = NewReplicaSetReplicas(d, oldRss.Append(rs).ToList(), rs);
        SetNewReplicaSetAnnotations(d, rs, newRevision, exists: false);
        JsonObject created;
        try
        {
            created = await Context.Operations.CreateAsync(Context.ReplicaSets, Workloads.Namespace(d), rs, Context.Write(), _identity, cancellationToken);
        }
        catch (ApiException error) when (error.Reason == "AlreadyExists")
        {
            var clash = Context.Get(Context.ReplicaSets, Workloads.Namespace(d), Workloads.Name(rs));
            if (clash is not null && EqualIgnoreHash(clash["spec"]?["template"], d["spec"]?["template"]))
            {
                return (clash, oldRss);
            }

            var status = d["status"] as JsonObject ?? [];
            status["collisionCount"] = (JsonNodes.GetInt64(status["collisionCount"]) ?? 0) + 1;
            d["status"] = status;
            await WriteStatusAsync(d, cancellationToken);
            throw;
        }
        catch (ApiException error)
        {
            if (HasProgressDeadline(d))
            {
                var status = d["status"] as JsonObject ?? [];
                Workloads.SetCondition(status, "Progressing", "False", "ReplicaSetCreateError", $"Failed to create new replica set \"{Workloads.Name(rs)}\": {error.Message}", now, withLastUpdate: true);
                d["status"] = status;
                await WriteStatusAsync(d, cancellationToken);
            }

            throw;
        }

        await SetDeploymentRevisionAsync(d, newRevision, cancellationToken);
        if (HasProgressDeadline(d))
        {
            var status = d["status"] as JsonObject ?? [];
            Workloads.SetCondition(status, "Progressing", "True", "NewReplicaSetCreated", $"Created new replica set \"{Workloads.Name(created)}\"", now, withLastUpdate: true);
            d["status"] = status;
            await WriteStatusAsync(d, cancellationToken);
        }

        return (created, oldRss);
    }

    private static void CopyMinReadySeconds(JsonObject d, JsonObject rs)
    {
        if (d["spec"]?["minReadySeconds"] is { } minReady)
        {
            rs["spec"]!["minReadySeconds"] = minReady.DeepClone();
        }
        else
        {
            rs["spec"]!.AsObject().Remove("minReadySeconds");
        }
    }

    /// <summary>Copies the deployment's annotations and sets revision, desired and max replicas. True when something changed.</summary>
    private static bool SetNewReplicaSetAnnotations(JsonObject d, JsonObject rs, long newRevision, bool exists)
    {
        var metadata = JsonNodes.Metadata(rs);
        var before = metadata["annotations"]?.ToJsonString();
        var annotations = metadata["annotations"] as JsonObject ?? [];
        foreach (var (key, value) in d["metadata"]?["annotations"] as JsonObject ?? [])
        {
            if (!NotCopiedAnnotations.Contains(key))
            {
                annotations[key] = value?.DeepClone();
            }
        }

        var current = Revision(rs);
        if (!exists || current < newRevision)
        {
            annotations[RevisionAnnotation] = newRevision.ToString(CultureInfo.InvariantCulture);
        }

        annotations[DesiredReplicasAnnotation] = Replicas(d).ToString(CultureInfo.InvariantCulture);
        annotations[MaxReplicasAnnotation] = (Replicas(d) + MaxSurge(d)).ToString(CultureInfo.InvariantCulture);
        metadata["annotations"] = annotations;
        return annotations.ToJsonString() != before;
    }

    private async Task SetDeploymentRevisionAsync(JsonObject d, long revision, CancellationToken cancellationToken)
    {
        var text = revision.ToString(CultureInfo.InvariantCulture);
        if (JsonNodes.GetString(d["metadata"]?["annotations"], RevisionAnnotation) == text)
        {
            return;
        }

        var metadata = JsonNodes.Metadata(d);
        var annotations = metadata["annotations"] as JsonObject ?? [];
        annotations[RevisionAnnotation] = text;
        metadata["annotations"] = annotations;
        var updated = await Context.Operations.UpdateAsync(Context.Deployments, Workloads.Namespace(d), Workloads.Name(d), string.Empty, d, Context.Write(), _identity, cancellationToken);
        JsonNodes.Metadata(d)["resourceVersion"] = JsonNodes.MetaString(updated, "resourceVersion");
    }

    /// <summary><c>NewRSNewReplicas</c>: how far the new ReplicaSet may grow now.</summary>
    private static long NewReplicaSetReplicas(JsonObject d, List<JsonObject> all, JsonObject newRs)
    {
        if (!IsRollingUpdate(d))
        {
            return Replicas(d);
        }

        var surge = Workloads.Scaled(d["spec"]?["strategy"]?["rollingUpdate"]?["maxSurge"], "25%", Replicas(d), roundUp: true);

        // Upstream sums spec.replicas only, so live pods can exceed replicas + maxSurge for a moment while an old
        // ReplicaSet's surplus pods are still being deleted. The fake also counts the pods an old ReplicaSet still reports
        // (status.replicas), which keeps the bound at every instant; the outcome of the rollout is the same.
        var current = all.Sum(rs => ReferenceEquals(rs, newRs) ? SpecReplicas(rs) : Math.Max(SpecReplicas(rs), StatusReplicas(rs)));
        var maxTotal = Replicas(d) + surge;
        if (current >= maxTotal)
        {
            return SpecReplicas(newRs);
        }

        var scaleUp = Math.Min(maxTotal - current, Replicas(d) - SpecReplicas(newRs));
        return SpecReplicas(newRs) + scaleUp;
    }

    private async Task<bool> ReconcileNewAsync(JsonObject d, List<JsonObject> all, JsonObject newRs, CancellationToken cancellationToken)
    {
        if (SpecReplicas(newRs) == Replicas(d))
        {
            return false;
        }

        if (SpecReplicas(newRs) > Replicas(d))
        {
            return await ScaleReplicaSetAsync(d, newRs, Replicas(d), cancellationToken);
        }

        return await ScaleReplicaSetAsync(d, newRs, NewReplicaSetReplicas(d, all, newRs), cancellationToken);
    }

    /// <summary><c>reconcileOldReplicaSets</c>: unhealthy old replicas first, then as many as availability allows.</summary>
    private async Task<bool> ReconcileOldAsync(JsonObject d, List<JsonObject> oldRss, JsonObject newRs, CancellationToken cancellationToken)
    {
        if (oldRss.Sum(SpecReplicas) == 0)
        {
            return false;
        }

        var allPods = oldRss.Sum(SpecReplicas) + SpecReplicas(newRs);
        var minAvailable = Replicas(d) - MaxUnavailable(d);
        var newUnavailable = SpecReplicas(newRs) - Available(newRs);
        var maxScaledDown = allPods - minAvailable - newUnavailable;
        if (maxScaledDown <= 0)
        {
            return false;
        }

        var oldest = oldRss.OrderBy(Workloads.Created).ThenBy(Workloads.Name, StringComparer.Ordinal).ToList();
        long cleaned = 0;
        foreach (var rs in oldest)
        {
            if (cleaned >= maxScaledDown)
            {
                break;
            }

            if (SpecReplicas(rs) == 0 || SpecReplicas(rs) == Available(rs))
            {
                continue;
            }

            var down = Math.Min(maxScaledDown - cleaned, SpecReplicas(rs) - Available(rs));
            await ScaleReplicaSetAsync(d, rs, SpecReplicas(rs) - down, cancellationToken);
            cleaned += down;
        }

        var availableCount = oldest.Append(newRs).Sum(Available);
        long scaledDown = 0;
        if (availableCount > minAvailable)
        {
            var toScaleDown = availableCount - minAvailable;
            foreach (var rs in oldest)
            {
                if (scaledDown >= toScaleDown)
                {
                    break;
                }

                if (SpecReplicas(rs) == 0)
                {
                    continue;
                }

                var down = Math.Min(SpecReplicas(rs), toScaleDown - scaledDown);
                await ScaleReplicaSetAsync(d, rs, SpecReplicas(rs) - down, cancellationToken);
                scaledDown += down;
            }
        }

        return cleaned + scaledDown > 0;
    }

    /// <summary><c>scale</c>: a scaling event; one active ReplicaSet takes all, a saturated new one empties the old, otherwise proportional.</summary>
    private async Task ScaleAsync(JsonObject d, JsonObject? newRs, List<JsonObject> oldRss, CancellationToken cancellationToken)
    {
        var byAge = oldRss.OrderByDescending(Workloads.Created).ThenByDescending(Workloads.Name, StringComparer.Ordinal).ToList();
        var active = Active(byAge.Append(newRs));
        JsonObject? activeOrLatest = active.Count switch
        {
            0 => newRs ?? byAge.FirstOrDefault(),
            1 => active[0],
            _ => null,
        };
        if (activeOrLatest is not null)
        {
            await ScaleReplicaSetAsync(d, activeOrLatest, Replicas(d), cancellationToken);
            return;
        }

        if (newRs is not null && Annotation(newRs, DesiredReplicasAnnotation) == Replicas(d) && SpecReplicas(newRs) == Replicas(d) && Available(newRs) == Replicas(d))
        {
            foreach (var rs in Active(oldRss))
            {
                await ScaleReplicaSetAsync(d, rs, 0, cancellationToken);
            }

            return;
        }

        if (!IsRollingUpdate(d))
        {
            return;
        }

        var total = active.Sum(SpecReplicas);
        var allowed = Replicas(d) > 0 ? Replicas(d) + MaxSurge(d) : 0;
        var toAdd = allowed - total;
        var ordered = toAdd > 0
            ? active.OrderByDescending(SpecReplicas).ThenByDescending(Workloads.Created).ToList()
            : active.OrderByDescending(SpecReplicas).ThenBy(Workloads.Created).ToList();
        var sizes = new Dictionary<string, long>(StringComparer.Ordinal);
        long added = 0;
        foreach (var rs in ordered)
        {
            var proportion = toAdd == 0 ? 0 : Proportion(rs, d, toAdd, added);
            sizes[Workloads.Name(rs)] = SpecReplicas(rs) + proportion;
            added += proportion;
        }

        for (var i = 0; i < ordered.Count; i++)
        {
            var rs = ordered[i];
            var size = sizes[Workloads.Name(rs)];
            if (i == 0 && toAdd != 0)
            {
                size = Math.Max(0, size + toAdd - added);
            }

            await ScaleReplicaSetAsync(d, rs, size, cancellationToken);
        }
    }

    private static long Proportion(JsonObject rs, JsonObject d, long toAdd, long added)
    {
        if (SpecReplicas(rs) == 0 || toAdd == added)
        {
            return 0;
        }

        long fraction;
        if (Replicas(d) == 0)
        {
            fraction = -SpecReplicas(rs);
        }
        else
        {
            var deploymentReplicas = Replicas(d) + MaxSurge(d);
            var annotated = Annotation(rs, MaxReplicasAnnotation) ?? Workloads.Int(d["status"]?["replicas"], 0);
            fraction = annotated == 0 ? 0 : (long)Math.Round((double)(SpecReplicas(rs) * deploymentReplicas) / annotated, MidpointRounding.AwayFromZero) - SpecReplicas(rs);
        }

        var allowed = toAdd - added;
        return toAdd > 0 ? Math.Min(fraction, allowed) : Math.Max(fraction, allowed);
    }

    /// <summary>Sets a ReplicaSet's size and replica annotations when they differ. True when the size changed.</summary>
    private async Task<bool> ScaleReplicaSetAsync(JsonObject d, JsonObject rs, long size, CancellationToken cancellationToken)
    {
        var sizeChanges = SpecReplicas(rs) != size;
        var annotationsChange = Annotation(rs, DesiredReplicasAnnotation) != Replicas(d) || Annotation(rs, MaxReplicasAnnotation) != Replicas(d) + MaxSurge(d);
        if (!sizeChanges && !annotationsChange)
        {
            return false;
        }

        var copy = rs.DeepClone().AsObject();
        copy["spec"]!["replicas"] = size;
        var metadata = JsonNodes.Metadata(copy);
        var annotations = metadata["annotations"] as JsonObject ?? [];
        annotations[DesiredReplicasAnnotation] = Replicas(d).ToString(CultureInfo.InvariantCulture);
        annotations[MaxReplicasAnnotation] = (Replicas(d) + MaxSurge(d)).ToString(CultureInfo.InvariantCulture);
        metadata["annotations"] = annotations;
        var updated = await Context.Operations.UpdateAsync(Context.ReplicaSets, Workloads.Namespace(rs), Workloads.Name(rs), string.Empty, copy, Context.Write(), _identity, cancellationToken);
        foreach (var (key, value) in updated.ToList())
        {
            rs[key] = value?.DeepClone();
        }

        return sizeChanges;
    }

    /// <summary><c>cleanupDeployment</c>: deletes the oldest empty old ReplicaSets beyond <c>revisionHistoryLimit</c> (default 10).</summary>
    private Task CleanupAsync(JsonObject d, List<JsonObject> oldRss)
    {
        var limit = Workloads.Int(d["spec"]?["revisionHistoryLimit"], 10);
        var cleanable = oldRss.Where(rs => !Workloads.Deleting(rs)).OrderBy(Revision).ThenBy(Workloads.Created).ToList();
        var excess = cleanable.Count - limit;
        for (var i = 0; i < excess; i++)
        {
            var rs = cleanable[i];
            if (StatusReplicas(rs) != 0 || SpecReplicas(rs) != 0 || Workloads.Generation(rs) > Workloads.Int(rs["status"]?["observedGeneration"], 0))
            {
                continue;
            }

            try
            {
                Context.Operations.Delete(Context.ReplicaSets, Workloads.Namespace(rs), Workloads.Name(rs), new DeleteOptions(null, Workloads.Uid(rs), null, false));
            }
            catch (ApiException error) when (error.Code is 404 or 409)
            {
            }
        }

        return Task.CompletedTask;
    }

    private static bool Complete(JsonObject d, JsonObject status) =>
        Workloads.Int(status["updatedReplicas"], 0) == Replicas(d)
        && Workloads.Int(status["replicas"], 0) == Replicas(d)
        && Workloads.Int(status["availableReplicas"], 0) == Replicas(d)
        && Workloads.Int(status["observedGeneration"], 0) >= Workloads.Generation(d);

    /// <summary><c>calculateStatus</c>: counts and the Available condition (conditions otherwise kept).</summary>
    private JsonObject CalculateStatus(JsonObject d, JsonObject? newRs, List<JsonObject> oldRss)
    {
        // Each ReplicaSet as stored now, except a new one this sync created: kube-controller-manager computes the status
        // from the object its create returned (no status yet), so the first status after a new ReplicaSet counts 0 updated
        // replicas and the next one, with its pods, shows progress (ReplicaSetUpdated). Read fresh, an in-process
        // ReplicaSet controller that was quicker would skip that step and leave Progressing at NewReplicaSetCreated.
        var fresh = new List<JsonObject>();
        foreach (var rs in oldRss.Append(newRs).OfType<JsonObject>())
        {
            var justCreated = ReferenceEquals(rs, newRs) && rs["status"]?["observedGeneration"] is null;
            fresh.Add(justCreated ? rs : Context.Get(Context.ReplicaSets, Workloads.Namespace(rs), Workloads.Name(rs)) ?? rs);
        }

        var freshNew = newRs is null ? null : fresh.FirstOrDefault(rs => Workloads.Name(rs) == Workloads.Name(newRs));
        var available = fresh.Sum(Available);
        var total = fresh.Sum(SpecReplicas);
        var status = new JsonObject
        {
            ["observedGeneration"] = Workloads.Generation(d),
            ["replicas"] = fresh.Sum(StatusReplicas),
            ["updatedReplicas"] = freshNew is null ? 0 : StatusReplicas(freshNew),
            ["readyReplicas"] = fresh.Sum(rs => Workloads.Int(rs["status"]?["readyReplicas"], 0)),
            ["availableReplicas"] = available,
            ["unavailableReplicas"] = Math.Max(0, total - available),
            ["terminatingReplicas"] = fresh.Sum(rs => Workloads.Int(rs["status"]?["terminatingReplicas"], 0)),
        };
        if (d["status"]?["collisionCount"] is { } collisions)
        {
            status["collisionCount"] = collisions.DeepClone();
        }

        if (d["status"]?["conditions"] is JsonArray conditions)
        {
            status["conditions"] = conditions.DeepClone();
        }

        var now = JsonNodes.Timestamp(Context.Time.GetUtcNow());
        if (available >= Replicas(d) - MaxUnavailable(d))
        {
            SetIfChanged(status, "Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability.", now);
        }
        else
        {
            SetIfChanged(status, "Available", "False", "MinimumReplicasUnavailable", "Deployment does not have minimum availability.", now);
        }

        return status;
    }

    /// <summary><c>SetDeploymentCondition</c>: no change when status and reason are the same.</summary>
    private static void SetIfChanged(JsonObject status, string type, string conditionStatus, string reason, string message, string now)
    {
        var existing = status["conditions"] is JsonArray list
            ? list.OfType<JsonObject>().FirstOrDefault(c => JsonNodes.GetString(c, "type") == type)
            : null;
        if (existing is not null && JsonNodes.GetString(existing, "status") == conditionStatus && JsonNodes.GetString(existing, "reason") == reason)
        {
            return;
        }

        Workloads.SetCondition(status, type, conditionStatus, reason, message, now, withLastUpdate: true);
    }

    private async Task SyncStatusAsync(JsonObject d, JsonObject? newRs, List<JsonObject> oldRss, CancellationToken cancellationToken)
    {
        var status = CalculateStatus(d, newRs, oldRss);
        if (!JsonNode.DeepEquals(status, d["status"]))
        {
            d["status"] = status;
            await WriteStatusAsync(d, cancellationToken);
        }
    }

    /// <summary><c>syncRolloutStatus</c>: the status plus the Progressing condition (NewReplicaSetAvailable, ReplicaSetUpdated, ProgressDeadlineExceeded).</summary>
    private async Task SyncRolloutStatusAsync(JsonObject d, JsonObject? newRs, List<JsonObject> oldRss, CancellationToken cancellationToken)
    {
        var status = CalculateStatus(d, newRs, oldRss);
        var old = d["status"] as JsonObject ?? [];
        var now = Context.Time.GetUtcNow();
        var timestamp = JsonNodes.Timestamp(now);
        if (!HasProgressDeadline(d))
        {
            Workloads.RemoveCondition(status, "Progressing");
        }

        var current = Workloads.Condition(d, "Progressing");
        var completeBefore = Workloads.Int(status["replicas"], 0) == Workloads.Int(status["updatedReplicas"], 0)
            && JsonNodes.GetString(current, "reason") == "NewReplicaSetAvailable";
        if (HasProgressDeadline(d) && !completeBefore)
        {
            var rsName = newRs is null ? null : Workloads.Name(newRs);
            if (Complete(d, status))
            {
                SetIfChanged(status, "Progressing", "True", "NewReplicaSetAvailable", rsName is null ? $"Deployment \"{Workloads.Name(d)}\" has successfully progressed." : $"ReplicaSet \"{rsName}\" has successfully progressed.", timestamp);
            }
            else if (Progressing(old, status))
            {
                Workloads.SetCondition(status, "Progressing", "True", "ReplicaSetUpdated", rsName is null ? $"Deployment \"{Workloads.Name(d)}\" is progressing." : $"ReplicaSet \"{rsName}\" is progressing.", timestamp, withLastUpdate: true);
            }
            else if (TimedOut(d, current, now))
            {
                SetIfChanged(status, "Progressing", "False", "ProgressDeadlineExceeded", rsName is null ? $"Deployment \"{Workloads.Name(d)}\" has timed out progressing." : $"ReplicaSet \"{rsName}\" has timed out progressing.", timestamp);
            }
            else if (current is not null)
            {
                var wait = ProgressDeadlineAt(d, current) - now;
                Queue.AddAfter(Key(Workloads.Namespace(d), Workloads.Name(d)), wait + TimeSpan.FromMilliseconds(100), Context.Time, Stopping);
            }
        }

        var failure = oldRss.Append(newRs).OfType<JsonObject>()
            .Select(rs => Context.Get(Context.ReplicaSets, Workloads.Namespace(rs), Workloads.Name(rs)) ?? rs)
            .Select(rs => Workloads.Condition(rs, "ReplicaFailure"))
            .FirstOrDefault(c => JsonNodes.GetString(c, "status") == "True");
        if (failure is not null)
        {
            SetIfChanged(status, "ReplicaFailure", "True", JsonNodes.GetString(failure, "reason") ?? "FailedCreate", JsonNodes.GetString(failure, "message") ?? string.Empty, timestamp);
        }
        else
        {
            Workloads.RemoveCondition(status, "ReplicaFailure");
        }

        if (!JsonNode.DeepEquals(status, d["status"]))
        {
            d["status"] = status;
            await WriteStatusAsync(d, cancellationToken);
        }
    }

    private static bool Progressing(JsonObject old, JsonObject status)
    {
        long Old(JsonObject s) => Workloads.Int(s["replicas"], 0) - Workloads.Int(s["updatedReplicas"], 0);
        return Workloads.Int(status["updatedReplicas"], 0) > Workloads.Int(old["updatedReplicas"], 0)
            || Old(status) < Old(old)
            || Workloads.Int(status["readyReplicas"], 0) > Workloads.Int(old["readyReplicas"], 0)
            || Workloads.Int(status["availableReplicas"], 0) > Workloads.Int(old["availableReplicas"], 0);
    }

    private static DateTimeOffset ProgressDeadlineAt(JsonObject d, JsonObject condition)
    {
        var from = DateTimeOffset.TryParse(JsonNodes.GetString(condition, "lastUpdateTime"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : DateTimeOffset.MinValue;
        return from.AddSeconds(Workloads.Int(d["spec"]?["progressDeadlineSeconds"], 600));
    }

    private static bool TimedOut(JsonObject d, JsonObject? condition, DateTimeOffset now)
    {
        if (condition is null)
        {
            return false;
        }

        if (JsonNodes.GetString(condition, "reason") == "ProgressDeadlineExceeded")
        {
            return true;
        }

        return JsonNodes.GetString(condition, "reason") != "NewReplicaSetAvailable" && ProgressDeadlineAt(d, condition) < now;
    }

    private async Task<JsonObject> WriteStatusAsync(JsonObject d, CancellationToken cancellationToken)
    {
        var updated = await Context.Operations.UpdateAsync(Context.Deployments, Workloads.Namespace(d), Workloads.Name(d), "status", d, Context.Write(), _identity, cancellationToken);
        JsonNodes.Metadata(d)["resourceVersion"] = JsonNodes.MetaString(updated, "resourceVersion");
        return d;
    }
}
