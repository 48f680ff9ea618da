using k8s;
using k8s.Models;

namespace SidePool.Kubernetes.Runtime.Informers;

/// <summary>
/// The informer's local copy of the server's objects, indexed by namespace and by label (<c>key=value</c>).
/// Reads return snapshots and are safe from any thread; only the informer writes.
/// </summary>
public sealed class InformerCache<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly Lock _gate = new();
    private readonly Dictionary<ObjectKey, T> _items = [];
    private readonly Dictionary<string, HashSet<ObjectKey>> _byNamespace = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<ObjectKey>> _byLabel = new(StringComparer.Ordinal);

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _items.Count;
            }
        }
    }

    public T? Get(ObjectKey key)
    {
        lock (_gate)
        {
            return _items.GetValueOrDefault(key);
        }
    }

    public T? Get(string? @namespace, string name) => Get(new ObjectKey(string.IsNullOrEmpty(@namespace) ? null : @namespace, name));

    public IReadOnlyList<T> List()
    {
        lock (_gate)
        {
            return [.. _items.Values];
        }
    }

    public IReadOnlyList<ObjectKey> Keys()
    {
        lock (_gate)
        {
            return [.. _items.Keys];
        }
    }

    public IReadOnlyList<T> ListByNamespace(string @namespace)
    {
        lock (_gate)
        {
            return _byNamespace.TryGetValue(@namespace, out var keys) ? [.. keys.Select(k => _items[k])] : [];
        }
    }

    /// <summary>Objects whose label <paramref name="key"/> equals <paramref name="value"/>.</summary>
    public IReadOnlyList<T> ListByLabel(string key, string value)
    {
        lock (_gate)
        {
            return _byLabel.TryGetValue(LabelIndexKey(key, value), out var keys) ? [.. keys.Select(k => _items[k])] : [];
        }
    }

    /// <summary>Inserts or replaces; returns the previous value.</summary>
    internal T? Upsert(T value)
    {
        var key = ObjectKey.Of(value);
        lock (_gate)
        {
            var old = _items.GetValueOrDefault(key);
            if (old is not null)
            {
                Unindex(key, old);
            }

            _items[key] = value;
            Index(key, value);
            return old;
        }
    }

    /// <summary>Removes; returns the value that was cached, if any.</summary>
    internal T? Remove(ObjectKey key)
    {
        lock (_gate)
        {
            if (!_items.Remove(key, out var old))
            {
                return null;
            }

            Unindex(key, old);
            return old;
        }
    }

    private void Index(ObjectKey key, T value)
    {
        Add(_byNamespace, key.Namespace ?? string.Empty, key);
        foreach (var (labelKey, labelValue) in value.Metadata?.Labels ?? new Dictionary<string, string>())
        {
            Add(_byLabel, LabelIndexKey(labelKey, labelValue), key);
        }
    }

    private void Unindex(ObjectKey key, T value)
    {
        RemoveFrom(_byNamespace, key.Namespace ?? string.Empty, key);
        foreach (var (labelKey, labelValue) in value.Metadata?.Labels ?? new Dictionary<string, string>())
        {
            RemoveFrom(_byLabel, LabelIndexKey(labelKey, labelValue), key);
        }
    }

    private static void Add(Dictionary<string, HashSet<ObjectKey>> index, string indexKey, ObjectKey key)
    {
        if (!index.TryGetValue(indexKey, out var set))
        {
            index[indexKey] = set = [];
        }

        set.Add(key);
    }

    private static void RemoveFrom(Dictionary<string, HashSet<ObjectKey>> index, string indexKey, ObjectKey key)
    {
        if (index.TryGetValue(indexKey, out var set) && set.Remove(key) && set.Count == 0)
        {
            index.Remove(indexKey);
        }
    }

    private static string LabelIndexKey(string key, string value) => $"{key}={value}";
}
