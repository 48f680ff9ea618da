namespace SidePool.Kubernetes.Models;

/// <summary><c>metav1.ListMeta</c>: the list's resourceVersion and the token for the next page.</summary>
public sealed record ListMeta
{
    public string? ResourceVersion { get; init; }
    public string? Continue { get; init; }
    public long? RemainingItemCount { get; init; }
}
