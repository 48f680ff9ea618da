using k8s;
using k8s.Models;
using SidePool.Kubernetes.Runtime.Informers;
using SidePool.Kubernetes.Runtime.WorkQueues;

namespace SidePool.Kubernetes.Runtime.Controllers;

/// <summary>
/// Connects an informer to a controller: every add, update and delete enqueues the key <paramref name="keyOf"/> picks
/// (the object's own key by default; e.g. the owning resource's key for owned objects; null = ignore).
/// </summary>
public sealed class EnqueueingEventHandler<T, TKey>(IWorkQueue<TKey> queue, Func<T, TKey?> keyOf) : IResourceEventHandler<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
    where TKey : notnull
{
    public void OnAdd(T value) => Enqueue(value);

    public void OnUpdate(T oldValue, T newValue) => Enqueue(newValue);

    public void OnDelete(T value) => Enqueue(value);

    private void Enqueue(T value)
    {
        if (keyOf(value) is { } key)
        {
            queue.Add(key);
        }
    }
}

/// <summary>Factory for the common case: the object's own <see cref="ObjectKey"/>.</summary>
public static class EnqueueingEventHandler
{
    public static EnqueueingEventHandler<T, ObjectKey> ForObjectKeys<T>(IWorkQueue<ObjectKey> queue)
        where T : class, IKubernetesObject<V1ObjectMeta> => new(queue, value => ObjectKey.Of(value));
}
