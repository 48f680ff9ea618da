using k8s;
using k8s.Models;

namespace SidePool.Kubernetes.Runtime.Informers;

/// <summary>Identifies an object: <c>namespace/name</c>, or just <c>name</c> for cluster-scoped kinds.</summary>
public readonly record struct ObjectKey(string? Namespace, string Name)
{
    public static ObjectKey Of(IKubernetesObject<V1ObjectMeta> value) =>
        new(string.IsNullOrEmpty(value.Metadata?.NamespaceProperty) ? null : value.Metadata!.NamespaceProperty, value.Metadata?.Name ?? string.Empty);

    public static ObjectKey Parse(string text)
    {
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? new ObjectKey(null, text) : new ObjectKey(text[..slash], text[(slash + 1)..]);
    }

    public override string ToString() => Namespace is null ? Name : $"{Namespace}/{Name}";
}
