namespace SidePool.Kubernetes.Client;

/// <summary>Client behaviour: timeouts and the bounded 429 retries.</summary>
public sealed record KubernetesClientOptions
{
    /// <summary>Per request (not for watches, which have none).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How many times a 429 (or a 503 with Retry-After) is retried before <c>KubernetesTooManyRequestsException</c>.</summary>
    public int MaxTooManyRequestsRetries { get; init; } = 5;

    /// <summary>The longest Retry-After honoured; longer values are capped.</summary>
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Used when a 429 carries no Retry-After.</summary>
    public TimeSpan DefaultRetryAfter { get; init; } = TimeSpan.FromSeconds(1);

    public string UserAgent { get; init; } = "sidepool-operator";
}
