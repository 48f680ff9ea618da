using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using SidePool.Kubernetes.Models;

namespace SidePool.Kubernetes.Client;

/// <summary>Parses one watch frame <c>{"type":..,"object":..}</c>; ERROR frames carry a Status.</summary>
internal static class WatchEventParser
{
    public static WatchEvent<T> Parse<T>(ReadOnlyMemory<byte> frame, JsonTypeInfo<T> typeInfo)
        where T : class, IKubernetesObject
    {
        using var document = JsonDocument.Parse(frame);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("type", out var typeElement) || !root.TryGetProperty("object", out var objectElement))
        {
            throw new JsonException("A watch frame must have 'type' and 'object'.");
        }

        var type = typeElement.GetString() switch
        {
            "ADDED" => WatchEventType.Added,
            "MODIFIED" => WatchEventType.Modified,
            "DELETED" => WatchEventType.Deleted,
            "BOOKMARK" => WatchEventType.Bookmark,
            "ERROR" => WatchEventType.Error,
            var other => throw new JsonException($"Unknown watch event type '{other}'."),
        };

        if (type == WatchEventType.Error)
        {
            return new WatchEvent<T> { Type = type, Status = objectElement.Deserialize(KubernetesJsonContext.Default.Status) };
        }

        string? resourceVersion = null;
        if (objectElement.TryGetProperty("metadata", out var metadata) && metadata.ValueKind == JsonValueKind.Object
            && metadata.TryGetProperty("resourceVersion", out var rv) && rv.ValueKind == JsonValueKind.String)
        {
            resourceVersion = rv.GetString();
        }

        T? value;
        if (type == WatchEventType.Bookmark)
        {
            try
            {
                value = objectElement.Deserialize(typeInfo);
            }
            catch (JsonException)
            {
                value = null;
            }
        }
        else
        {
            value = objectElement.Deserialize(typeInfo);
        }

        return new WatchEvent<T> { Type = type, Object = value, ResourceVersion = resourceVersion };
    }
}
