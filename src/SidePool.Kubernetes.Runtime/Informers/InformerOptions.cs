namespace SidePool.Kubernetes.Runtime.Informers;

/// <summary>What an informer watches and how it recovers. Defaults follow client-go's reflector.</summary>
public sealed record InformerOptions
{
    /// <summary>Null = all namespaces (unless <see cref="Namespaces"/> names some).</summary>
    public string? Namespace { get; init; }

    /// <summary>Several namespaces, one list/watch each into the one cache; excludes <see cref="Namespace"/>.</summary>
    public IReadOnlyList<string>? Namespaces { get; init; }
    public string? LabelSelector { get; init; }
    public string? FieldSelector { get; init; }
    public int PageSize { get; init; } = 500;
    /// <summary>Each watch asks the server to close it after a random time in [min, max].</summary>
    public TimeSpan MinWatchTimeout { get; init; } = TimeSpan.FromSeconds(300);
    public TimeSpan MaxWatchTimeout { get; init; } = TimeSpan.FromSeconds(600);
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(800);
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);
    public double BackoffJitter { get; init; } = 0.2;
}
