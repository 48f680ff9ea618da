using System.Text.Json;
using System.Text.Json.Nodes;

namespace SidePool.Kubernetes.FakeServer;

/// <summary>
/// What the real server does with a custom resource's structural schema (<c>openAPIV3Schema</c>) on every write,
/// in a subset: unknown fields are pruned (or, with <c>fieldValidation=Strict</c>, rejected with 400 like the real
/// "strict decoding error: unknown field"), then <c>default</c>s are applied to missing properties, recursively.
/// Honours <c>properties</c>, <c>additionalProperties</c>, <c>items</c> and <c>x-kubernetes-preserve-unknown-fields</c>;
/// <c>apiVersion</c>, <c>kind</c> and <c>metadata</c> are never pruned. No type, enum, pattern or required validation.
/// </summary>
internal static class StructuralSchema
{
    public static void PruneAndDefault(JsonObject obj, JsonObject schema, bool strict, ResourceDefinition definition)
    {
        var unknown = new List<string>();
        foreach (var (key, value) in obj.ToList())
        {
            if (key is "apiVersion" or "kind" or "metadata" || value is null)
            {
                continue;
            }

            if (PropertySchema(schema, key) is { } child)
            {
                Prune(value, child, key, unknown);
            }
            else if (!PreservesUnknown(schema))
            {
                unknown.Add(key);
                obj.Remove(key);
            }
        }

        if (strict && unknown.Count > 0)
        {
            var fields = string.Join(", ", unknown.Select(f => $"unknown field \"{f}\""));
            throw ApiException.BadRequest($"{definition.Kind} in version \"{definition.Version}\" cannot be handled as a {definition.Kind}: strict decoding error: {fields}");
        }

        Default(obj, schema, topLevel: true);
    }

    private static void Prune(JsonNode node, JsonObject schema, string path, List<string> unknown)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, value) in obj.ToList())
                {
                    var childPath = $"{path}.{key}";
                    if (PropertySchema(schema, key) is { } child)
                    {
                        if (value is not null)
                        {
                            Prune(value, child, childPath, unknown);
                        }
                    }
                    else if (!PreservesUnknown(schema) && !AllowsAnyProperty(schema))
                    {
                        unknown.Add(childPath);
                        obj.Remove(key);
                    }
                }

                break;
            case JsonArray array when schema["items"] is JsonObject items:
                for (var i = 0; i < array.Count; i++)
                {
                    if (array[i] is { } item)
                    {
                        Prune(item, items, $"{path}[{i}]", unknown);
                    }
                }

                break;
        }
    }

    private static void Default(JsonNode node, JsonObject schema, bool topLevel = false)
    {
        switch (node)
        {
            case JsonObject obj:
                if (schema["properties"] is JsonObject properties)
                {
                    foreach (var (key, propertySchema) in properties)
                    {
                        if (topLevel && key is "apiVersion" or "kind" or "metadata")
                        {
                            continue;
                        }

                        if (!obj.ContainsKey(key) && propertySchema?["default"] is { } defaultValue)
                        {
                            obj[key] = defaultValue.DeepClone();
                        }
                    }
                }

                foreach (var (key, value) in obj.ToList())
                {
                    if (value is not null && !(topLevel && key == "metadata") && PropertySchema(schema, key) is { } child)
                    {
                        Default(value, child);
                    }
                }

                break;
            case JsonArray array when schema["items"] is JsonObject items:
                foreach (var item in array)
                {
                    if (item is not null)
                    {
                        Default(item, items);
                    }
                }

                break;
        }
    }

    private static JsonObject? PropertySchema(JsonObject schema, string key) =>
        schema["properties"]?[key] as JsonObject ?? schema["additionalProperties"] as JsonObject;

    private static bool AllowsAnyProperty(JsonObject schema) =>
        schema["additionalProperties"] is JsonValue v && v.GetValueKind() == JsonValueKind.True;

    private static bool PreservesUnknown(JsonObject schema) =>
        schema["x-kubernetes-preserve-unknown-fields"] is JsonValue v && v.GetValueKind() == JsonValueKind.True;
}
