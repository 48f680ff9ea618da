using System.Text.Json.Nodes;

namespace SidePool.Kubernetes.FakeServer;

/// <summary>
/// The storage: JSON objects per resource (keyed by <c>namespace/name</c>), one global resourceVersion counter,
/// a bounded watch history and the live watch subscriptions. Every method must be called while holding <see cref="SyncRoot"/>.
/// </summary>
internal sealed class ObjectStore
{
    private readonly Dictionary<string, SortedDictionary<string, JsonObject>> _objects = new(StringComparer.Ordinal);
    private readonly LinkedList<StoredEvent> _history = new();
    private readonly List<WatchSubscription> _subscriptions = [];
    private readonly int _historyLimit;
    private long _resourceVersion;
    private long _oldestWatchable;

    public ObjectStore(int historyLimit) => _historyLimit = Math.Max(1, historyLimit);

    public Lock SyncRoot { get; } = new();

    public long ResourceVersion => Interlocked.Read(ref _resourceVersion);

    /// <summary>Watches and continue tokens older than this are expired.</summary>
    public long OldestWatchable => _oldestWatchable;

    public static string Key(string? @namespace, string name) => $"{@namespace}/{name}";

    public JsonObject? Get(ResourceDefinition definition, string? @namespace, string name) =>
        _objects.TryGetValue(definition.StorageKey, out var map) && map.TryGetValue(Key(@namespace, name), out var obj) ? obj : null;

    /// <summary>Objects in key order, optionally starting after <paramref name="afterKey"/>.</summary>
    public IEnumerable<KeyValuePair<string, JsonObject>> List(ResourceDefinition definition, string? @namespace, string? afterKey = null)
    {
        if (!_objects.TryGetValue(definition.StorageKey, out var map))
        {
            return [];
        }

        var prefix = @namespace is null ? null : @namespace + "/";
        return map.Where(kv => (prefix is null || kv.Key.StartsWith(prefix, StringComparison.Ordinal))
            && (afterKey is null || string.CompareOrdinal(kv.Key, afterKey) > 0)).ToList();
    }

    public IEnumerable<(string StorageKey, JsonObject Object)> All() =>
        _objects.SelectMany(kv => kv.Value.Values.Select(o => (kv.Key, o))).ToList();

    /// <summary>Stores <paramref name="obj"/> with a new resourceVersion and publishes ADDED or MODIFIED.</summary>
    public JsonObject Put(ResourceDefinition definition, JsonObject obj, JsonObject? previous)
    {
        var rv = ++_resourceVersion;
        JsonNodes.Metadata(obj)["resourceVersion"] = rv.ToString(System.Globalization.CultureInfo.InvariantCulture);
        JsonNodes.Canonicalize(obj);
        var ns = JsonNodes.MetaString(obj, "namespace");
        var name = JsonNodes.MetaString(obj, "name")!;
        if (!_objects.TryGetValue(definition.StorageKey, out var map))
        {
            map = new SortedDictionary<string, JsonObject>(StringComparer.Ordinal);
            _objects[definition.StorageKey] = map;
        }

        map[Key(ns, name)] = obj;
        Publish(new StoredEvent(rv, definition.StorageKey, ns, previous is null ? "ADDED" : "MODIFIED", obj, previous));
        return obj;
    }

    /// <summary>Removes the object and publishes DELETED (with a fresh resourceVersion).</summary>
    public JsonObject Remove(ResourceDefinition definition, JsonObject obj)
    {
        var ns = JsonNodes.MetaString(obj, "namespace");
        var name = JsonNodes.MetaString(obj, "name")!;
        if (_objects.TryGetValue(definition.StorageKey, out var map))
        {
            map.Remove(Key(ns, name));
        }

        var rv = ++_resourceVersion;
        var deleted = obj.DeepClone().AsObject();
        JsonNodes.Metadata(deleted)["resourceVersion"] = rv.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Publish(new StoredEvent(rv, definition.StorageKey, ns, "DELETED", deleted, obj));
        return deleted;
    }

    public void Compact()
    {
        _history.Clear();
        _oldestWatchable = _resourceVersion;
    }

    /// <summary>
    /// Starts a watch. <paramref name="fromResourceVersion"/> null = start now; otherwise replays retained events after it
    /// (<c>null</c> result = too old: 410). Initial ADDED events for the current state are the caller's business.
    /// </summary>
    public WatchSubscription? Subscribe(string storageKey, string? @namespace, long? fromResourceVersion)
    {
        var subscription = new WatchSubscription(storageKey, @namespace);
        if (fromResourceVersion is { } from)
        {
            if (from < _oldestWatchable)
            {
                return null;
            }

            foreach (var e in _history)
            {
                if (e.ResourceVersion > from && subscription.Accepts(e))
                {
                    subscription.Publish(e);
                }
            }
        }

        _subscriptions.Add(subscription);
        return subscription;
    }

    public void Unsubscribe(WatchSubscription subscription)
    {
        _subscriptions.Remove(subscription);
        subscription.Complete();
    }

    public IReadOnlyList<WatchSubscription> Subscriptions => _subscriptions.ToList();

    private void Publish(StoredEvent e)
    {
        _history.AddLast(e);
        while (_history.Count > _historyLimit)
        {
            _oldestWatchable = _history.First!.Value.ResourceVersion;
            _history.RemoveFirst();
        }

        foreach (var subscription in _subscriptions)
        {
            if (subscription.Accepts(e))
            {
                subscription.Publish(e);
            }
        }
    }
}
