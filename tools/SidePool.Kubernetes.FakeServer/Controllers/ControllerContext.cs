using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

namespace SidePool.Kubernetes.FakeServer.Controllers;

/// <summary>What the in-server controllers share: the API operations (writes go through admission), definitions and reads.</summary>
internal sealed class ControllerContext
{
    public ControllerContext(ResourceOperations operations, FakeApiServerOptions options, ILogger logger, CancellationToken stopping)
    {
        Operations = operations;
        Options = options;
        Logger = logger;
        Stopping = stopping;
        Pods = Find(string.Empty, "pods");
        ReplicaSets = Find("apps", "replicasets");
        Deployments = Find("apps", "deployments");
        StatefulSets = Find("apps", "statefulsets");
        Nodes = Find(string.Empty, "nodes");
    }

    public ResourceOperations Operations { get; }

    public FakeApiServerOptions Options { get; }

    public ILogger Logger { get; }

    public CancellationToken Stopping { get; }

    public TimeProvider Time => Operations.Time;

    public ResourceDefinition Pods { get; }

    public ResourceDefinition ReplicaSets { get; }

    public ResourceDefinition Deployments { get; }

    public ResourceDefinition StatefulSets { get; }

    public ResourceDefinition Nodes { get; }

    public ObjectStore Store => Operations.Store;

    /// <summary>A copy of one stored object, or null.</summary>
    public JsonObject? Get(ResourceDefinition definition, string? @namespace, string name)
    {
        lock (Store.SyncRoot)
        {
            return Store.Get(definition, @namespace, name)?.DeepClone().AsObject();
        }
    }

    /// <summary>Copies of the stored objects of a resource (one namespace or all) that satisfy <paramref name="filter"/>.</summary>
    public List<JsonObject> List(ResourceDefinition definition, string? @namespace, Func<JsonObject, bool>? filter = null)
    {
        lock (Store.SyncRoot)
        {
            return Store.List(definition, @namespace)
                .Select(kv => kv.Value)
                .Where(o => filter is null || filter(o))
                .Select(o => o.DeepClone().AsObject())
                .ToList();
        }
    }

    /// <summary>Objects whose controller owner reference points at <paramref name="ownerUid"/>.</summary>
    public List<JsonObject> OwnedBy(ResourceDefinition definition, string? @namespace, string ownerUid) =>
        List(definition, @namespace, o => Workloads.ControllerUid(o) == ownerUid);

    public WriteOptions Write(string manager = "kube-controller-manager") => new(manager, Force: false, DryRun: false) { FieldManagerParameter = string.Empty };

    private ResourceDefinition Find(string group, string plural) =>
        Operations.Registry.Find(group, "v1", plural) ?? throw new InvalidOperationException($"{plural} is not registered");
}
