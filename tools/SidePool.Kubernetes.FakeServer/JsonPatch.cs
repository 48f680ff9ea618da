using System.Globalization;
using System.Text.Json.Nodes;

namespace SidePool.Kubernetes.FakeServer;

/// <summary>JSON patch (RFC 6902): add, remove, replace, move, copy, test.</summary>
internal static class JsonPatch
{
    /// <summary>Applies <paramref name="operations"/>; a failing operation throws 422 Invalid like the real API server.</summary>
    public static JsonNode Apply(JsonNode document, JsonNode? operations)
    {
        if (operations is not JsonArray list)
        {
            throw ApiException.BadRequest("json: cannot unmarshal object into Go value of type jsonpatch.Patch");
        }

        var root = new JsonObject { ["doc"] = document.DeepClone() };
        foreach (var entry in list)
        {
            if (entry is not JsonObject op)
            {
                throw ApiException.BadRequest("invalid JSON patch operation");
            }

            var kind = JsonNodes.GetString(op, "op") ?? throw ApiException.BadRequest("missing op in JSON patch operation");
            var path = JsonNodes.GetString(op, "path") ?? throw Unprocessable($"missing path in '{kind}' operation");
            switch (kind)
            {
                case "add":
                    Add(root, path, RequireValue(op, kind));
                    break;
                case "remove":
                    Remove(root, path);
                    break;
                case "replace":
                    Replace(root, path, RequireValue(op, kind));
                    break;
                case "move":
                    {
                        var from = JsonNodes.GetString(op, "from") ?? throw Unprocessable("missing from in 'move' operation");
                        var value = Remove(root, from);
                        Add(root, path, value);
                        break;
                    }

                case "copy":
                    {
                        var from = JsonNodes.GetString(op, "from") ?? throw Unprocessable("missing from in 'copy' operation");
                        var (parent, token) = Resolve(root, from);
                        Add(root, path, Get(parent, token, from).DeepClone());
                        break;
                    }

                case "test":
                    {
                        var (parent, token) = Resolve(root, path);
                        var actual = TryGet(parent, token);
                        if (!JsonNode.DeepEquals(actual, op["value"]))
                        {
                            throw Unprocessable($"testing value {path} failed: test failed");
                        }

                        break;
                    }

                default:
                    throw ApiException.BadRequest($"Unexpected kind: {kind}");
            }
        }

        return root["doc"]!.DeepClone();
    }

    /// <summary>
    /// The apiserver answers a JSON patch that fails to apply with <c>NewGenericServerResponse(422, …)</c>: reason Invalid,
    /// a fixed message and empty details (the json-patch error text is dropped). <paramref name="message"/> is kept only
    /// as the exception's inner text for debugging.
    /// </summary>
    private static ApiException Unprocessable(string message) =>
        new(422, "Invalid", "the server rejected our request due to an error in our request", new JsonObject(), innerMessage: message);

    private static JsonNode? RequireValue(JsonObject op, string kind) =>
        op.ContainsKey("value") ? op["value"]?.DeepClone() : throw Unprocessable($"missing value in '{kind}' operation");

    private static (JsonNode Parent, string Token) Resolve(JsonObject root, string pointer)
    {
        if (pointer.Length > 0 && pointer[0] != '/')
        {
            throw Unprocessable($"invalid JSON pointer: {pointer}");
        }

        var tokens = pointer.Length == 0
            ? []
            : pointer[1..].Split('/').Select(t => t.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)).ToArray();
        JsonNode parent = root;
        var token = "doc";
        foreach (var next in tokens)
        {
            parent = Get(parent, token, pointer);
            token = next;
        }

        return (parent, token);
    }

    private static JsonNode? TryGet(JsonNode parent, string token) => parent switch
    {
        JsonObject o => o[token],
        JsonArray a when int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < a.Count => a[i],
        _ => null,
    };

    private static JsonNode Get(JsonNode parent, string token, string pointer)
    {
        var exists = parent switch
        {
            JsonObject o => o.ContainsKey(token),
            JsonArray a => int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < a.Count,
            _ => false,
        };
        return exists && TryGet(parent, token) is { } node
            ? node
            : throw Unprocessable($"doc is missing path: \"{pointer}\": missing value");
    }

    private static void Add(JsonObject root, string path, JsonNode? value)
    {
        var (parent, token) = Resolve(root, path);
        switch (parent)
        {
            case JsonObject o:
                o[token] = value;
                break;
            case JsonArray a:
                if (token == "-")
                {
                    a.Add(value);
                }
                else if (int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index <= a.Count)
                {
                    a.Insert(index, value);
                }
                else
                {
                    throw Unprocessable($"add operation does not apply: doc is missing path: \"{path}\": missing value");
                }

                break;
            default:
                throw Unprocessable($"add operation does not apply: doc is missing path: \"{path}\": missing value");
        }
    }

    private static void Replace(JsonObject root, string path, JsonNode? value)
    {
        var (parent, token) = Resolve(root, path);
        switch (parent)
        {
            case JsonObject o when o.ContainsKey(token):
                o[token] = value;
                break;
            case JsonArray a when int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < a.Count:
                a[index] = value;
                break;
            default:
                throw Unprocessable($"replace operation does not apply: doc is missing key: {path}: missing value");
        }
    }

    private static JsonNode? Remove(JsonObject root, string path, string? message = null)
    {
        var (parent, token) = Resolve(root, path);
        switch (parent)
        {
            case JsonObject o when o.ContainsKey(token):
                {
                    var value = o[token];
                    o.Remove(token);
                    return value;
                }

            case JsonArray a when int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < a.Count:
                {
                    var value = a[index];
                    a.RemoveAt(index);
                    return value;
                }

            default:
                throw Unprocessable(message ?? $"remove operation does not apply: doc is missing path: \"{path}\": missing value");
        }
    }
}
