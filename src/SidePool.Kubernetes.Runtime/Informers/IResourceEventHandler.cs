using k8s;
using k8s.Models;

namespace SidePool.Kubernetes.Runtime.Informers;

/// <summary>Notified by an informer, in event order, after its cache changed. Keep it quick: enqueue a key.</summary>
public interface IResourceEventHandler<in T>
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    void OnAdd(T value);

    void OnUpdate(T oldValue, T newValue);

    /// <summary>The last state the cache held.</summary>
    void OnDelete(T value);
}

/// <summary>An <see cref="IResourceEventHandler{T}"/> from delegates; any may be null.</summary>
public sealed class ResourceEventHandler<T>(Action<T>? onAdd = null, Action<T, T>? onUpdate = null, Action<T>? onDelete = null) : IResourceEventHandler<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    public void OnAdd(T value) => onAdd?.Invoke(value);

    public void OnUpdate(T oldValue, T newValue) => onUpdate?.Invoke(oldValue, newValue);

    public void OnDelete(T value) => onDelete?.Invoke(value);
}
