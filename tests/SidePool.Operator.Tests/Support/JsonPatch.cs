using System.Globalization;
using System.Text.Json.Nodes;

namespace SidePool.Operator.Tests.Support;

/// <summary>Applies an RFC 6902 patch (add, replace, remove, test) to a copy of a document, as the API server does with a webhook's answer.</summary>
internal static class JsonPatch
{
    public static JsonObject Apply(JsonObject document, JsonArray patch)
    {
        var root = (JsonObject)document.DeepClone();
        foreach (var operation in patch.Cast<JsonObject>())
        {
            var op = operation["op"]!.GetValue<string>();
            var path = operation["path"]!.GetValue<string>();
            var tokens = path.Split('/').Skip(1).Select(t => t.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)).ToList();
            JsonNode parent = root;
            foreach (var token in tokens.SkipLast(1))
            {
                parent = parent switch
                {
                    JsonObject o => o[token] ?? throw new InvalidOperationException($"{path}: missing {token}"),
                    JsonArray a => a[int.Parse(token, CultureInfo.InvariantCulture)] ?? throw new InvalidOperationException(path),
                    _ => throw new InvalidOperationException(path),
                };
            }

            var last = tokens[^1];
            var value = operation["value"]?.DeepClone();
            switch (op, parent)
            {
                case ("add" or "replace", JsonObject o):
                    o[last] = value;
                    break;
                case ("remove", JsonObject o):
                    o.Remove(last);
                    break;
                case ("add", JsonArray a):
                    if (last == "-")
                    {
                        a.Add(value);
                    }
                    else
                    {
                        a.Insert(int.Parse(last, CultureInfo.InvariantCulture), value);
                    }

                    break;
                case ("test", JsonObject o):
                    if (!JsonNode.DeepEquals(o[last], value))
                    {
                        throw new InvalidOperationException($"test failed at {path}");
                    }

                    break;
                default:
                    throw new InvalidOperationException($"unsupported {op} at {path}");
            }
        }

        return root;
    }
}
