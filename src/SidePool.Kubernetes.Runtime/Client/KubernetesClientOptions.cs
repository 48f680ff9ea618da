namespace SidePool.Kubernetes.Client;

/// <summary>How the client talks to the API server.</summary>
public sealed record KubernetesClientOptions
{
    /// <summary>Time allowed for one request until its response headers (a watch's stream is not bounded by it).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How many times a 429 (or a 503 with Retry-After) is retried before it surfaces as an error.</summary>
    public int MaxTooManyRequestsRetries { get; init; } = 5;

    /// <summary>The longest Retry-After honoured; a longer one is cut to this.</summary>
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The wait when a 429 names no Retry-After.</summary>
    public TimeSpan DefaultRetryAfter { get; init; } = TimeSpan.FromSeconds(1);

    public string UserAgent { get; init; } = "sidepool-operator";
}
