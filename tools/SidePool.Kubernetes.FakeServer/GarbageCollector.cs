using System.Text.Json.Nodes;

namespace SidePool.Kubernetes.FakeServer;

/// <summary>
/// Background garbage collection: deletes objects whose ownerReferences all point at objects that no longer exist
/// (matched by uid), and empties then removes terminating namespaces. Runs after every deletion (and on demand).
/// </summary>
internal sealed class GarbageCollector : IAsyncDisposable
{
    private readonly ResourceOperations _operations;
    private readonly SemaphoreSlim _signal = new(0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public GarbageCollector(ResourceOperations operations)
    {
        _operations = operations;
        _operations.DeletionHappened += Trigger;
        _loop = Task.Run(RunAsync);
    }

    public void Trigger() => _signal.Release();

    public async ValueTask DisposeAsync()
    {
        _operations.DeletionHappened -= Trigger;
        await _stop.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
        _signal.Dispose();
    }

    /// <summary>One full pass until nothing more can be collected.</summary>
    public void Collect()
    {
        var store = _operations.Store;
        lock (store.SyncRoot)
        {
            while (CollectOnce(store))
            {
            }
        }
    }

    private async Task RunAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            await _signal.WaitAsync(_stop.Token);
            Collect();
        }
    }

    private bool CollectOnce(ObjectStore store)
    {
        var definitions = _operations.Registry.StorageDefinitions().ToDictionary(d => d.StorageKey);
        var all = store.All();
        var uids = all.Select(o => JsonNodes.MetaString(o.Object, "uid")).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var changed = false;
        var namespaceDefinition = definitions.Values.First(BuiltInResources.IsNamespace);
        var terminating = all.Where(o => o.StorageKey == namespaceDefinition.StorageKey && o.Object["metadata"]?["deletionTimestamp"] is not null)
            .Select(o => JsonNodes.MetaString(o.Object, "name")!)
            .ToHashSet(StringComparer.Ordinal);

        foreach (var (storageKey, obj) in all)
        {
            if (!definitions.TryGetValue(storageKey, out var definition))
            {
                continue;
            }

            var ns = JsonNodes.MetaString(obj, "namespace");
            var name = JsonNodes.MetaString(obj, "name")!;
            var deleting = obj["metadata"]?["deletionTimestamp"] is not null;
            var inTerminatingNamespace = ns is not null && terminating.Contains(ns);
            var orphaned = obj["metadata"]?["ownerReferences"] is JsonArray { Count: > 0 } refs
                && refs.All(r => JsonNodes.GetString(r, "uid") is not { } uid || !uids.Contains(uid));
            if (!deleting && (inTerminatingNamespace || orphaned))
            {
                _operations.DeleteLocked(definition, ns, name, new DeleteOptions("Background", null, null, false));
                changed = true;
            }
        }

        foreach (var ns in terminating)
        {
            var remaining = store.All().Any(o => JsonNodes.MetaString(o.Object, "namespace") == ns && o.StorageKey != namespaceDefinition.StorageKey);
            var nsObject = store.Get(namespaceDefinition, null, ns);
            if (!remaining && nsObject is not null)
            {
                store.Remove(namespaceDefinition, nsObject);
                changed = true;
            }
        }

        return changed;
    }
}
