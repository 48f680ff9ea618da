namespace SidePool.Kubernetes.Models;

/// <summary><c>v1 ConfigMap</c>.</summary>
public sealed record ConfigMap : IKubernetesObject
{
    public string? ApiVersion { get; init; } = "v1";
    public string? Kind { get; init; } = "ConfigMap";
    public ObjectMeta? Metadata { get; init; }
    public IReadOnlyDictionary<string, string>? Data { get; init; }
    public IReadOnlyDictionary<string, byte[]>? BinaryData { get; init; }
    public bool? Immutable { get; init; }
}
