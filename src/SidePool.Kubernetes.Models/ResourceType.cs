using System.Text.Json.Serialization.Metadata;

namespace SidePool.Kubernetes.Models;

/// <summary>
/// Ties a CLR type to its API resource and its source-generated JSON metadata. The client works with any
/// <see cref="IKubernetesObject"/> given one of these, so custom resources defined elsewhere plug in the same way.
/// </summary>
public sealed record ResourceType<T>(ApiResource Resource, JsonTypeInfo<T> TypeInfo)
    where T : class, IKubernetesObject;
