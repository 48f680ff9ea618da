using System.Text.Json.Nodes;

namespace SidePool.Testing;

/// <summary>A small RFC 6902 applier (add, replace, remove, test) for checking produced patches.</summary>
public static class JsonPatchApplier
{
    public static JsonObject Apply(JsonObject document, JsonArray patch)
    {
        var root = (JsonObject)document.DeepClone();
        foreach (var operation in patch.Cast<JsonObject>())
        {
            var op = operation["op"]!.GetValue<string>();
            var path = operation["path"]!.GetValue<string>();
            var tokens = path.Split('/').Skip(1).Select(t => t.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)).ToList();
            Require(tokens.Count > 0, $"empty path in {operation.ToJsonString()}");
            JsonNode parent = root;
            foreach (var token in tokens.SkipLast(1))
            {
                parent = parent switch
                {
                    JsonObject o => o[token] ?? throw new InvalidOperationException($"{path}: missing {token}"),
                    JsonArray a => a[int.Parse(token, System.Globalization.CultureInfo.InvariantCulture)] ?? throw new InvalidOperationException(path),
                    _ => throw new InvalidOperationException(path),
                };
            }

            var last = tokens[^1];
            var value = operation["value"]?.DeepClone();
            switch (op, parent)
            {
                case ("add", JsonObject o):
                    o[last] = value;
                    break;
                case ("replace", JsonObject o):
                    Require(o.ContainsKey(last), $"replace of missing {path}");
                    o[last] = value;
                    break;
                case ("remove", JsonObject o):
                    Require(o.Remove(last), $"remove of missing {path}");
                    break;
                case ("add", JsonArray a):
                    if (last == "-")
                    {
                        a.Add(value);
                    }
                    else
                    {
                        var index = int.Parse(last, System.Globalization.CultureInfo.InvariantCulture);
                        Require(index >= 0 && index <= a.Count, $"index {index} out of range at {path}");
                        a.Insert(index, value);
                    }

                    break;
                case ("test", JsonObject o):
                    Require(JsonNode.DeepEquals(o[last], value), $"test failed at {path}");
                    break;
                default:
                    throw new InvalidOperationException($"unsupported {op} at {path}");
            }
        }

        return root;
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new InvalidOperationException($"JSON patch does not apply: {message}");
        }
    }
}
