using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using k8s;
using k8s.Models;

namespace SidePool.Kubernetes.Client;

/// <summary>
/// Ties a CLR type to its API resource and to how it is read and written as JSON: KubernetesClient's own serializer
/// for its <c>k8s.Models</c> types, or the source-generated metadata a custom resource brings (ConnectionPool).
/// </summary>
public sealed record ResourceType<T>(ApiResource Resource, JsonTypeInfo<T>? TypeInfo = null)
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    /// <summary>The object as a JSON tree, with apiVersion and kind set from the resource when missing.</summary>
    public JsonObject ToJson(T value)
    {
        var node = TypeInfo is null
            ? JsonNode.Parse(KubernetesJson.Serialize(value))
            : JsonSerializer.SerializeToNode(value, TypeInfo);
        var json = node as JsonObject ?? throw new JsonException($"a {Resource.Kind} did not serialize to a JSON object");
        json["apiVersion"] ??= Resource.ApiVersion;
        json["kind"] ??= Resource.Kind;
        return json;
    }

    /// <summary>Reads one object; a null document is refused.</summary>
    public T FromJson(JsonElement element) =>
        (TypeInfo is null ? KubernetesJson.Deserialize<T>(element) : element.Deserialize(TypeInfo))
        ?? throw new JsonException($"a null {Resource.Kind}");
}
