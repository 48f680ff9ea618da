using SidePool.Kubernetes.Models;

namespace SidePool.Kubernetes.Runtime.Informers;

/// <summary>Identifies an object: <c>namespace/name</c>, or just <c>name</c> for cluster-scoped kinds.</summary>
public readonly record struct ObjectKey(string? Namespace, string Name)
{
    public static ObjectKey Of(IKubernetesObject value) =>
        new(string.IsNullOrEmpty(value.Metadata?.Namespace) ? null : value.Metadata!.Namespace, value.Metadata?.Name ?? string.Empty);

    public static ObjectKey Parse(string text)
    {
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? new ObjectKey(null, text) : new ObjectKey(text[..slash], text[(slash + 1)..]);
    }

    public override string ToString() => Namespace is null ? Name : $"{Namespace}/{Name}";
}
