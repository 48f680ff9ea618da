using System.Text.Json.Serialization;

namespace SidePool.Kubernetes.Models;

/// <summary><c>events.k8s.io/v1 Event</c>.</summary>
public sealed record Event : IKubernetesObject
{
    public string? ApiVersion { get; init; } = "events.k8s.io/v1";
    public string? Kind { get; init; } = "Event";
    public ObjectMeta? Metadata { get; init; }
    [JsonConverter(typeof(Rfc3339MicroTimeConverter))]
    public required DateTimeOffset EventTime { get; init; }
    public string? ReportingController { get; init; }
    public string? ReportingInstance { get; init; }
    public string? Action { get; init; }
    public string? Reason { get; init; }
    public ObjectReference? Regarding { get; init; }
    public ObjectReference? Related { get; init; }
    public string? Note { get; init; }
    /// <summary>Normal or Warning.</summary>
    public string? Type { get; init; }
    public EventSeries? Series { get; init; }
}

/// <summary><c>events.k8s.io/v1 EventSeries</c>.</summary>
public sealed record EventSeries
{
    public required int Count { get; init; }
    [JsonConverter(typeof(Rfc3339MicroTimeConverter))]
    public required DateTimeOffset LastObservedTime { get; init; }
}

/// <summary><c>v1 ObjectReference</c>.</summary>
public sealed record ObjectReference
{
    public string? ApiVersion { get; init; }
    public string? Kind { get; init; }
    public string? Namespace { get; init; }
    public string? Name { get; init; }
    public string? Uid { get; init; }
    public string? ResourceVersion { get; init; }
    public string? FieldPath { get; init; }
}
