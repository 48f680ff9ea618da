namespace SidePool.Kubernetes.Config;

/// <summary>How to find and pick from kubeconfig files. Null members fall back to the environment.</summary>
public sealed record KubeConfigLoadOptions
{
    /// <summary>An explicit <c>--kubeconfig</c> path; beats <c>KUBECONFIG</c>. Missing = error.</summary>
    public string? ExplicitPath { get; init; }

    /// <summary>The <c>KUBECONFIG</c> value (colon-separated); null = read the environment variable.</summary>
    public string? KubeConfigVariable { get; init; }

    /// <summary>Home folder for <c>~/.kube/config</c>; null = the user's profile.</summary>
    public string? HomeDirectory { get; init; }

    /// <summary><c>--context</c>: overrides current-context.</summary>
    public string? Context { get; init; }

    /// <summary><c>--namespace</c>: overrides the context's namespace.</summary>
    public string? Namespace { get; init; }
}
