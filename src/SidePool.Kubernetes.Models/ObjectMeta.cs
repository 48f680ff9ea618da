using System.Text.Json;

namespace SidePool.Kubernetes.Models;

/// <summary>Standard object metadata (<c>metav1.ObjectMeta</c>). Only the fields SidePool reads or writes.</summary>
public sealed record ObjectMeta
{
    public string? Name { get; init; }
    public string? GenerateName { get; init; }
    public string? Namespace { get; init; }
    public string? Uid { get; init; }
    public string? ResourceVersion { get; init; }
    public long? Generation { get; init; }
    public DateTimeOffset? CreationTimestamp { get; init; }
    public DateTimeOffset? DeletionTimestamp { get; init; }
    public long? DeletionGracePeriodSeconds { get; init; }
    public IReadOnlyDictionary<string, string>? Labels { get; init; }
    public IReadOnlyDictionary<string, string>? Annotations { get; init; }
    public IReadOnlyList<OwnerReference>? OwnerReferences { get; init; }
    public IReadOnlyList<string>? Finalizers { get; init; }
    /// <summary>Kept opaque: SidePool never interprets managed fields.</summary>
    public JsonElement? ManagedFields { get; init; }
}

/// <summary><c>metav1.OwnerReference</c>.</summary>
public sealed record OwnerReference
{
    public required string ApiVersion { get; init; }
    public required string Kind { get; init; }
    public required string Name { get; init; }
    public required string Uid { get; init; }
    public bool? Controller { get; init; }
    public bool? BlockOwnerDeletion { get; init; }
}

/// <summary><c>metav1.LabelSelector</c>.</summary>
public sealed record LabelSelector
{
    public IReadOnlyDictionary<string, string>? MatchLabels { get; init; }
    public IReadOnlyList<LabelSelectorRequirement>? MatchExpressions { get; init; }
}

/// <summary><c>metav1.LabelSelectorRequirement</c>: operator is In, NotIn, Exists or DoesNotExist.</summary>
public sealed record LabelSelectorRequirement
{
    public required string Key { get; init; }
    public required string Operator { get; init; }
    public IReadOnlyList<string>? Values { get; init; }
}

/// <summary><c>metav1.Condition</c>.</summary>
public sealed record Condition
{
    public required string Type { get; init; }
    public required string Status { get; init; }
    public long? ObservedGeneration { get; init; }
    public required DateTimeOffset LastTransitionTime { get; init; }
    public required string Reason { get; init; }
    public required string Message { get; init; }
}
