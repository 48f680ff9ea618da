namespace SidePool.Kubernetes.Models;

/// <summary>A <c>XList</c> (PodList, ConfigMapList, ...): items plus <see cref="ListMeta"/>.</summary>
public sealed record KubernetesList<T>
    where T : class, IKubernetesObject
{
    public string? ApiVersion { get; init; }
    public string? Kind { get; init; }
    public ListMeta Metadata { get; init; } = new();
    public IReadOnlyList<T> Items { get; init; } = [];
}
