using System.Text.Json.Serialization;

namespace SidePool.Kubernetes.Models;

/// <summary><c>metav1.Status</c>: the body of every API error, and of some successful deletes.</summary>
public sealed record Status
{
    public string? ApiVersion { get; init; } = "v1";
    public string? Kind { get; init; } = "Status";
    public ListMeta? Metadata { get; init; }
    /// <summary>Success or Failure.</summary>
    [JsonPropertyName("status")]
    public string? Outcome { get; init; }
    public string? Message { get; init; }
    /// <summary>NotFound, AlreadyExists, Conflict, Invalid, Expired, Gone, TooManyRequests, Forbidden, Unauthorized, ...</summary>
    public string? Reason { get; init; }
    public StatusDetails? Details { get; init; }
    public int? Code { get; init; }
}

/// <summary><c>metav1.StatusDetails</c>.</summary>
public sealed record StatusDetails
{
    public string? Name { get; init; }
    public string? Group { get; init; }
    public string? Kind { get; init; }
    public string? Uid { get; init; }
    public IReadOnlyList<StatusCause>? Causes { get; init; }
    public int? RetryAfterSeconds { get; init; }
}

/// <summary><c>metav1.StatusCause</c>: for Invalid, one per offending field.</summary>
public sealed record StatusCause
{
    public string? Reason { get; init; }
    public string? Message { get; init; }
    public string? Field { get; init; }
}
