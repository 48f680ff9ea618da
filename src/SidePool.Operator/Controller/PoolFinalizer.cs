using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using SidePool.Api;
using SidePool.Contract;
using SidePool.Core;
using SidePool.Kubernetes.Client;
using SidePool.Kubernetes.Errors;

namespace SidePool.Operator.Controller;

/// <summary>
/// What deleting a pool does (docs/operator.md, "Deleting a pool"). Running pods are not touched: their sidecars keep
/// serving with the files they have, and the version Secrets they mount stay (orphaned, deleted once no pod mounts
/// them). The pool's stamps leave the workload templates, so each workload rolls once, gracefully, to pods without
/// the sidecar (the webhook no longer injects a pool being deleted). Then the finalizer goes and the garbage collector
/// removes the pool's other Secrets.
/// </summary>
public sealed class PoolFinalizer(IKubernetesClient client, ClusterView view, Workloads workloads, PoolSecretsWriter secrets, EventRecorder events, ILogger logger)
{
    private readonly IResourceClient<ConnectionPool> _pools = client.Resource(ConnectionPoolResource.Type);

    /// <summary>Adds the finalizer to a live pool that lacks it (guarded by the resourceVersion: a race is a 409).</summary>
    public async Task EnsureAsync(ConnectionPool pool, CancellationToken cancellationToken)
    {
        var finalizers = pool.Metadata.Finalizers ?? [];
        if (finalizers.Contains(VersionContract.Finalizer))
        {
            return;
        }

        var patch = new JsonArray(new JsonObject { ["op"] = "test", ["path"] = "/metadata/resourceVersion", ["value"] = pool.Metadata.ResourceVersion });
        patch.Add(finalizers.Count == 0
            ? new JsonObject { ["op"] = "add", ["path"] = "/metadata/finalizers", ["value"] = new JsonArray(VersionContract.Finalizer) }
            : new JsonObject { ["op"] = "add", ["path"] = "/metadata/finalizers/-", ["value"] = VersionContract.Finalizer });
        _ = await PatchAsync(pool, patch, cancellationToken);
    }

    /// <summary>Cleans up after a deleted pool and removes the finalizer.</summary>
    public async Task FinalizeAsync(ConnectionPool pool, CancellationToken cancellationToken)
    {
        var index = (pool.Metadata.Finalizers ?? []).ToList().IndexOf(VersionContract.Finalizer);
        if (index < 0)
        {
            return;
        }

        var name = pool.Metadata.Name!;
        var ns = pool.Metadata.NamespaceProperty!;
        var keys = new[] { VersionContract.Annotations.TemplateVersion(name), VersionContract.Annotations.Repair(name) };
        var unstamped = new List<string>();
        foreach (var workload in workloads.InNamespace(ns).Where(w => keys.Any(w.TemplateAnnotations.ContainsKey)))
        {
            if (await workloads.PatchTemplateAnnotationsAsync(ns, workload.Ref, keys.ToDictionary(k => k, _ => (string?)null), cancellationToken))
            {
                unstamped.Add(workload.Ref.ToString());
            }
        }

        var orphaned = await secrets.OrphanMountedAsync(pool, view.Pods.Cache.ListByNamespace(ns), cancellationToken);
        var patch = new JsonArray(
            new JsonObject { ["op"] = "test", ["path"] = $"/metadata/finalizers/{index}", ["value"] = VersionContract.Finalizer },
            new JsonObject { ["op"] = "remove", ["path"] = $"/metadata/finalizers/{index}" });
        if (!await PatchAsync(pool, patch, cancellationToken))
        {
            return;
        }

        // Once, by the run that removed the finalizer (a run on a stale cache fails the test above).
        logger.LogInformation("Pool {Namespace}/{Pool} deleted: unstamped {Workloads}; {Orphaned} mounted version Secret(s) kept.", ns, name, unstamped.Count, orphaned);
        await events.RecordAsync(
            pool,
            new PoolEvent(
                "Normal",
                "PoolDeleted",
                "Cleanup",
                $"running pods keep their sidecars ({orphaned} version Secret(s) kept while mounted); stamps removed from {(unstamped.Count == 0 ? "no workload" : string.Join(", ", unstamped.Take(10)))}"),
            cancellationToken);
    }

    /// <summary>False when the pool is gone already.</summary>
    private async Task<bool> PatchAsync(ConnectionPool pool, JsonArray patch, CancellationToken cancellationToken)
    {
        try
        {
            await _pools.PatchAsync(pool.Metadata.Name!, pool.Metadata.NamespaceProperty, KubernetesPatch.Json(patch), cancellationToken: cancellationToken);
            return true;
        }
        catch (KubernetesNotFoundException)
        {
            return false;
        }
        catch (KubernetesInvalidException e)
        {
            // A failed "test" (the cache was stale): retried like a conflict.
            throw new KubernetesConflictException(e.Message, e.Status);
        }
    }
}
