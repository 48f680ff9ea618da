namespace SidePool.Kubernetes.Models;

/// <summary><c>v1 Namespace</c>.</summary>
public sealed record Namespace : IKubernetesObject
{
    public string? ApiVersion { get; init; } = "v1";
    public string? Kind { get; init; } = "Namespace";
    public ObjectMeta? Metadata { get; init; }
    public NamespaceSpec? Spec { get; init; }
    public NamespaceStatus? Status { get; init; }
}

/// <summary><c>v1 NamespaceSpec</c>.</summary>
public sealed record NamespaceSpec
{
    public IReadOnlyList<string>? Finalizers { get; init; }
}

/// <summary><c>v1 NamespaceStatus</c>: phase Active or Terminating.</summary>
public sealed record NamespaceStatus
{
    public string? Phase { get; init; }
}
