using Microsoft.Extensions.Logging;
using SidePool.Api;
using SidePool.Contract;
using SidePool.Core;
using SidePool.Kubernetes.Client;
using SidePool.Kubernetes.Runtime.Informers;

namespace SidePool.Operator.Controller;

/// <summary>
/// The informers the controller reads from: pools, the Secrets the operator owns (by label) and those pools reference
/// (each by name), pods, workloads and (for <c>auto</c> mode) nodes. No other Secret is listed, watched or cached.
/// </summary>
public sealed class ClusterView
{
    public ClusterView(IKubernetesClient client, PoolControllerOptions settings, ILoggerFactory loggerFactory)
    {
        var options = settings.WatchScope();
        Pools = new Informer<ConnectionPool>(client.Resource(ConnectionPoolResource.Type), options, loggerFactory.CreateLogger("informer.connectionpools"));
        Secrets = new Informer<Secret>(
            client.Resource(KubernetesResources.Secrets),
            options with { LabelSelector = $"{VersionContract.Labels.ManagedBy}={VersionContract.Labels.ManagedByValue}" },
            loggerFactory.CreateLogger("informer.secrets.owned"));
        Referenced = new ReferencedSecrets(client.Resource(KubernetesResources.Secrets), loggerFactory);
        Pods = new Informer<Pod>(client.Resource(KubernetesResources.Pods), options, loggerFactory.CreateLogger("informer.pods"));
        ReplicaSets = new Informer<ReplicaSet>(client.Resource(KubernetesResources.ReplicaSets), options, loggerFactory.CreateLogger("informer.replicasets"));
        Workloads = WorkloadKinds.Create(client, options, loggerFactory);
        Nodes = settings.SidecarMode == SidecarModeResolver.Auto
            ? new Informer<Node>(client.Resource(KubernetesResources.Nodes), new InformerOptions(), loggerFactory.CreateLogger("informer.nodes"))
            : null;
    }

    public Informer<ConnectionPool> Pools { get; }

    /// <summary>Secrets the operator owns (key, client and version Secrets, and orphaned versions of deleted pools).</summary>
    public Informer<Secret> Secrets { get; }

    /// <summary>Secrets pools reference (credentials, CA).</summary>
    public ReferencedSecrets Referenced { get; }

    public Informer<Pod> Pods { get; }

    public Informer<ReplicaSet> ReplicaSets { get; }

    /// <summary>The workloads the operator rolls, one informer per kind (<see cref="WorkloadKinds"/>).</summary>
    public IReadOnlyList<IWorkloadKind> Workloads { get; }

    public Informer<Node>? Nodes { get; }

    public IEnumerable<Task> Run(CancellationToken cancellationToken)
    {
        yield return Pools.RunAsync(cancellationToken);
        yield return Secrets.RunAsync(cancellationToken);
        yield return Pods.RunAsync(cancellationToken);
        yield return ReplicaSets.RunAsync(cancellationToken);
        foreach (var kind in Workloads)
        {
            yield return kind.RunAsync(cancellationToken);
        }

        if (Nodes is not null)
        {
            yield return Nodes.RunAsync(cancellationToken);
        }
    }

    public async Task WaitForSyncAsync(CancellationToken cancellationToken)
    {
        await Pools.WaitForSyncAsync(cancellationToken);
        await Secrets.WaitForSyncAsync(cancellationToken);
        await Pods.WaitForSyncAsync(cancellationToken);
        await ReplicaSets.WaitForSyncAsync(cancellationToken);
        foreach (var kind in Workloads)
        {
            await kind.WaitForSyncAsync(cancellationToken);
        }

        if (Nodes is not null)
        {
            await Nodes.WaitForSyncAsync(cancellationToken);
        }
    }

    /// <summary>How many objects each cache holds (Secrets: owned plus referenced).</summary>
    public IReadOnlyDictionary<string, int> CacheSizes()
    {
        var sizes = new Dictionary<string, int>(StringComparer.Ordinal)
        {
            ["connectionpools"] = Pools.Cache.Count,
            ["secrets"] = Secrets.Cache.Count + Referenced.CachedCount,
            ["pods"] = Pods.Cache.Count,
            ["replicasets"] = ReplicaSets.Cache.Count,
            ["nodes"] = Nodes?.Cache.Count ?? 0,
        };
        foreach (var kind in Workloads)
        {
            sizes[kind.Plural] = kind.CachedCount;
        }

        return sizes;
    }

    public bool HasSynced => Pools.HasSynced && Secrets.HasSynced && Pods.HasSynced && ReplicaSets.HasSynced &&
        Workloads.All(k => k.HasSynced) && (Nodes?.HasSynced ?? true);
}
