using k8s;
using k8s.Models;

namespace SidePool.Kubernetes.Client;

/// <summary>One event of a watch: the object for ADDED/MODIFIED/DELETED/BOOKMARK, the Status for ERROR.</summary>
public sealed record WatchEvent<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    public required WatchEventType Type { get; init; }

    public T? Object { get; init; }

    public V1Status? Status { get; init; }

    /// <summary>The resourceVersion the event carries (the object's, or a bookmark's).</summary>
    public string? ResourceVersion { get; init; }
}
