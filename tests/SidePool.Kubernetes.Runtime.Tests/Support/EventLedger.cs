using System.Collections.Concurrent;
using SidePool.Kubernetes.Runtime.Informers;

namespace SidePool.Kubernetes.Runtime.Tests.Support;

/// <summary>
/// Rebuilds the world from handler events alone and counts impossible sequences (an add for a key it already has, an
/// update or delete for one it lacks): a missed or duplicated event shows up here.
/// </summary>
public sealed class EventLedger<T> : IResourceEventHandler<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly Lock _gate = new();
    private readonly Dictionary<ObjectKey, string?> _state = [];

    public ConcurrentQueue<string> Log { get; } = new();

    public int Violations { get; private set; }

    public int Adds { get; private set; }

    public int Updates { get; private set; }

    public int Deletes { get; private set; }

    public IReadOnlyDictionary<ObjectKey, string?> Snapshot()
    {
        lock (_gate)
        {
            return new Dictionary<ObjectKey, string?>(_state);
        }
    }

    public void OnAdd(T value)
    {
        lock (_gate)
        {
            Adds++;
            Log.Enqueue($"add {ObjectKey.Of(value)}");
            if (!_state.TryAdd(ObjectKey.Of(value), value.Metadata?.ResourceVersion))
            {
                Violations++;
            }
        }
    }

    public void OnUpdate(T oldValue, T newValue)
    {
        lock (_gate)
        {
            Updates++;
            Log.Enqueue($"update {ObjectKey.Of(newValue)}");
            var key = ObjectKey.Of(newValue);
            if (!_state.TryGetValue(key, out var rv) || rv != oldValue.Metadata?.ResourceVersion)
            {
                Violations++;
            }

            _state[key] = newValue.Metadata?.ResourceVersion;
        }
    }

    public void OnDelete(T value)
    {
        lock (_gate)
        {
            Deletes++;
            Log.Enqueue($"delete {ObjectKey.Of(value)}");
            if (!_state.Remove(ObjectKey.Of(value)))
            {
                Violations++;
            }
        }
    }
}
