using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SidePool.Kubernetes.FakeServer;

/// <summary>Small helpers over <see cref="JsonNode"/> for Kubernetes objects.</summary>
internal static class JsonNodes
{
    public static JsonObject Metadata(JsonObject obj)
    {
        if (obj["metadata"] is JsonObject metadata)
        {
            return metadata;
        }

        metadata = new JsonObject();
        obj["metadata"] = metadata;
        return metadata;
    }

    public static string? GetString(JsonNode? node, string property) =>
        node is JsonObject o && o[property] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    public static string? MetaString(JsonObject obj, string property) => GetString(obj["metadata"], property);

    public static IReadOnlyDictionary<string, string> Labels(JsonObject obj)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (obj["metadata"]?["labels"] is JsonObject labels)
        {
            foreach (var (key, value) in labels)
            {
                result[key] = value is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : value?.ToJsonString() ?? string.Empty;
            }
        }

        return result;
    }

    public static List<string> Finalizers(JsonObject obj)
    {
        var result = new List<string>();
        if (obj["metadata"]?["finalizers"] is JsonArray array)
        {
            foreach (var item in array)
            {
                if (item is JsonValue v && v.GetValueKind() == JsonValueKind.String)
                {
                    result.Add(v.GetValue<string>());
                }
            }
        }

        return result;
    }

    /// <summary>An integer property regardless of how the node was created (parsed, int or long).</summary>
    public static long? GetInt64(JsonNode? node) => node switch
    {
        JsonValue v when v.TryGetValue<long>(out var l) => l,
        JsonValue v when v.TryGetValue<int>(out var i) => i,
        JsonValue v when v.GetValueKind() == JsonValueKind.Number && long.TryParse(v.ToJsonString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) => parsed,
        _ => null,
    };

    public static JsonObject ParseObject(string json)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(json);
        }
        catch (JsonException ex)
        {
            throw ApiException.BadRequest($"the body of the request could not be decoded: {ex.Message}");
        }

        return node as JsonObject ?? throw ApiException.BadRequest("the body of the request must be a JSON object");
    }

    public static string Timestamp(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>Values for comparing or printing: strings unquoted, everything else as JSON.</summary>
    public static string ToPlainString(JsonNode? node) => node switch
    {
        null => string.Empty,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        _ => node.ToJsonString(),
    };

    private static readonly string[] MetadataOrder =
    [
        "name", "generateName", "namespace", "selfLink", "uid", "resourceVersion", "generation", "creationTimestamp",
        "deletionTimestamp", "deletionGracePeriodSeconds", "labels", "annotations", "ownerReferences", "finalizers", "managedFields",
    ];

    /// <summary>Reorders in place like the Go API server serializes: kind, apiVersion, metadata (in ObjectMeta field order), then the rest.</summary>
    public static void Canonicalize(JsonObject obj)
    {
        var properties = obj.ToList();
        obj.Clear();
        foreach (var key in new[] { "kind", "apiVersion", "metadata" })
        {
            var match = properties.FindIndex(p => p.Key == key);
            if (match >= 0)
            {
                obj[key] = properties[match].Value;
            }
        }

        foreach (var (key, value) in properties)
        {
            if (key is not ("kind" or "apiVersion" or "metadata"))
            {
                obj[key] = value;
            }
        }

        if (obj["metadata"] is JsonObject metadata)
        {
            var fields = metadata.ToList();
            metadata.Clear();
            foreach (var (key, value) in fields.OrderBy(f => Array.IndexOf(MetadataOrder, f.Key) is var i && i < 0 ? int.MaxValue : i))
            {
                metadata[key] = value;
            }
        }
    }

    /// <summary>Copies everything except <paramref name="excluded"/> top-level properties.</summary>
    public static JsonObject Without(JsonObject obj, params string[] excluded)
    {
        var copy = new JsonObject();
        foreach (var (key, value) in obj)
        {
            if (Array.IndexOf(excluded, key) < 0)
            {
                copy[key] = value?.DeepClone();
            }
        }

        return copy;
    }
}
