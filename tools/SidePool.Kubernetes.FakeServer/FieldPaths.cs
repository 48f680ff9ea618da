using System.Text.Json.Nodes;

namespace SidePool.Kubernetes.FakeServer;

/// <summary>
/// Leaf field paths of an object, the unit of server-side-apply ownership in this fake server.
/// A path is its segments joined by <see cref="Separator"/>. Objects are descended into; scalars,
/// lists and empty objects are leaves (lists are atomic). System metadata is never owned: of
/// <c>metadata</c> only <c>labels</c>, <c>annotations</c> (per key), <c>finalizers</c> and <c>ownerReferences</c> count.
/// </summary>
internal static class FieldPaths
{
    public const char Separator = '\n';

    private static readonly HashSet<string> OwnedMetadata = new(StringComparer.Ordinal) { "labels", "annotations", "finalizers", "ownerReferences" };

    public enum Scope
    {
        /// <summary>Everything except status when the resource has a status subresource.</summary>
        MainResource,

        /// <summary>Only <c>status</c>.</summary>
        Status,

        /// <summary>Everything (resources without status subresource).</summary>
        All,
    }

    public static HashSet<string> Leaves(JsonObject? obj, Scope scope)
    {
        var result = new HashSet<string>(StringComparer.Ordinal);
        if (obj is null)
        {
            return result;
        }

        foreach (var (key, value) in obj)
        {
            if (key is "apiVersion" or "kind" || value is null)
            {
                continue;
            }

            if (scope == Scope.Status && key != "status")
            {
                continue;
            }

            if (scope == Scope.MainResource && key == "status")
            {
                continue;
            }

            if (key == "metadata")
            {
                if (value is JsonObject metadata)
                {
                    foreach (var (metaKey, metaValue) in metadata)
                    {
                        if (OwnedMetadata.Contains(metaKey) && metaValue is not null)
                        {
                            Collect(metaValue, "metadata" + Separator + metaKey, result);
                        }
                    }
                }

                continue;
            }

            Collect(value, key, result);
        }

        return result;
    }

    public static JsonNode? ValueAt(JsonObject? obj, string path)
    {
        JsonNode? node = obj;
        foreach (var segment in path.Split(Separator))
        {
            if (node is not JsonObject o || !o.TryGetPropertyValue(segment, out node))
            {
                return null;
            }
        }

        return node;
    }

    public static bool Exists(JsonObject obj, string path)
    {
        JsonNode? node = obj;
        foreach (var segment in path.Split(Separator))
        {
            if (node is not JsonObject o || !o.TryGetPropertyValue(segment, out node))
            {
                return false;
            }
        }

        return true;
    }

    public static void Remove(JsonObject obj, string path)
    {
        var segments = path.Split(Separator);
        var parents = new List<JsonObject> { obj };
        JsonNode? node = obj;
        for (var i = 0; i < segments.Length - 1; i++)
        {
            if (node is not JsonObject o || o[segments[i]] is not JsonObject child)
            {
                return;
            }

            parents.Add(child);
            node = child;
        }

        parents[^1].Remove(segments[^1]);

        // prune maps the removal left empty (but never the top level or metadata itself)
        for (var i = parents.Count - 1; i >= 2; i--)
        {
            if (parents[i].Count == 0)
            {
                parents[i - 1].Remove(segments[i - 1]);
            }
        }
    }

    public static bool Overlaps(string a, string b) =>
        a == b
        || a.StartsWith(b + Separator, StringComparison.Ordinal)
        || b.StartsWith(a + Separator, StringComparison.Ordinal);

    /// <summary>Human form used in conflict messages, e.g. <c>.data.key</c>.</summary>
    public static string Display(string path) => "." + path.Replace(Separator, '.');

    /// <summary>Encodes a set of paths as <c>fieldsV1</c> (<c>{"f:data":{"f:key":{}}}</c>).</summary>
    public static JsonObject ToFieldsV1(IEnumerable<string> paths)
    {
        var root = new JsonObject();
        foreach (var path in paths.Order(StringComparer.Ordinal))
        {
            var node = root;
            foreach (var segment in path.Split(Separator))
            {
                var key = "f:" + segment;
                if (node[key] is not JsonObject child)
                {
                    child = new JsonObject();
                    node[key] = child;
                }

                node = child;
            }
        }

        return root;
    }

    public static HashSet<string> FromFieldsV1(JsonNode? fields)
    {
        var result = new HashSet<string>(StringComparer.Ordinal);
        if (fields is JsonObject obj)
        {
            Walk(obj, string.Empty, result);
        }

        return result;
    }

    private static void Walk(JsonObject node, string prefix, HashSet<string> result)
    {
        var children = node.Where(p => p.Key.StartsWith("f:", StringComparison.Ordinal)).ToList();
        if (children.Count == 0)
        {
            if (prefix.Length > 0)
            {
                result.Add(prefix);
            }

            return;
        }

        foreach (var (key, value) in children)
        {
            var path = prefix.Length == 0 ? key[2..] : prefix + Separator + key[2..];
            Walk(value as JsonObject ?? new JsonObject(), path, result);
        }
    }

    private static void Collect(JsonNode value, string path, HashSet<string> result)
    {
        if (value is JsonObject obj && obj.Count > 0)
        {
            foreach (var (key, child) in obj)
            {
                if (child is not null)
                {
                    Collect(child, path + Separator + key, result);
                }
            }

            return;
        }

        result.Add(path);
    }
}
