using System.Text.Json.Nodes;

namespace SidePool.Kubernetes.FakeServer;

/// <summary>JSON merge patch (RFC 7386).</summary>
internal static class MergePatch
{
    public static JsonNode? Apply(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject patchObject)
        {
            return patch?.DeepClone();
        }

        var result = target is JsonObject targetObject ? targetObject.DeepClone().AsObject() : new JsonObject();
        foreach (var (key, value) in patchObject)
        {
            if (value is null)
            {
                result.Remove(key);
            }
            else
            {
                result[key] = Apply(result[key], value);
            }
        }

        return result;
    }

    /// <summary>A copy without strategic-merge-patch directives (<c>$…</c> keys and <c>$patch</c> list items).</summary>
    public static JsonNode? StripStrategicDirectives(JsonNode? patch)
    {
        switch (patch)
        {
            case JsonObject obj:
                var result = new JsonObject();
                foreach (var (key, value) in obj)
                {
                    if (!key.StartsWith('$'))
                    {
                        result[key] = StripStrategicDirectives(value);
                    }
                }

                return result;
            case JsonArray array:
                var list = new JsonArray();
                foreach (var item in array)
                {
                    if (item is JsonObject o && o.ContainsKey("$patch"))
                    {
                        continue;
                    }

                    list.Add(StripStrategicDirectives(item));
                }

                return list;
            default:
                return patch?.DeepClone();
        }
    }
}
