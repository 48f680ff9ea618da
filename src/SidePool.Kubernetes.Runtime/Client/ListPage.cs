using k8s;
using k8s.Models;

namespace SidePool.Kubernetes.Client;

/// <summary>One page of a list: its items and the list metadata (resourceVersion, continue).</summary>
public sealed record ListPage<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    public V1ListMeta Metadata { get; init; } = new();

    public IReadOnlyList<T> Items { get; init; } = [];
}
