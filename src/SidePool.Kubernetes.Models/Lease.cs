using System.Text.Json.Serialization;

namespace SidePool.Kubernetes.Models;

/// <summary><c>coordination.k8s.io/v1 Lease</c>, used for leader election.</summary>
public sealed record Lease : IKubernetesObject
{
    public string? ApiVersion { get; init; } = "coordination.k8s.io/v1";
    public string? Kind { get; init; } = "Lease";
    public ObjectMeta? Metadata { get; init; }
    public LeaseSpec? Spec { get; init; }
}

/// <summary><c>coordination.k8s.io/v1 LeaseSpec</c>; times are MicroTime (microsecond RFC 3339).</summary>
public sealed record LeaseSpec
{
    public string? HolderIdentity { get; init; }
    public int? LeaseDurationSeconds { get; init; }
    [JsonConverter(typeof(Rfc3339MicroTimeConverter))]
    public DateTimeOffset? AcquireTime { get; init; }
    [JsonConverter(typeof(Rfc3339MicroTimeConverter))]
    public DateTimeOffset? RenewTime { get; init; }
    public int? LeaseTransitions { get; init; }
}
