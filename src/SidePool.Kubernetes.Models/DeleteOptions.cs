namespace SidePool.Kubernetes.Models;

/// <summary><c>metav1.DeleteOptions</c>: propagation policy is Orphan, Background or Foreground.</summary>
public sealed record DeleteOptions
{
    public string? Kind { get; init; } = "DeleteOptions";
    public string? ApiVersion { get; init; } = "v1";
    public string? PropagationPolicy { get; init; }
    public long? GracePeriodSeconds { get; init; }
    public Preconditions? Preconditions { get; init; }
    public IReadOnlyList<string>? DryRun { get; init; }
}

/// <summary><c>metav1.Preconditions</c>: the delete fails with 409 unless uid/resourceVersion still match.</summary>
public sealed record Preconditions
{
    public string? Uid { get; init; }
    public string? ResourceVersion { get; init; }
}
