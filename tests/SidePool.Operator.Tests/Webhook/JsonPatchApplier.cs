using System.Text.Json.Nodes;
using Xunit;

namespace SidePool.Operator.Tests.Webhook;

/// <summary>A small RFC 6902 applier (add, replace, remove, test) for checking produced patches.</summary>
internal static class JsonPatchApplier
{
    public static JsonObject Apply(JsonObject document, JsonArray patch)
    {
        var root = (JsonObject)document.DeepClone();
        foreach (var operation in patch.Cast<JsonObject>())
        {
            var op = operation["op"]!.GetValue<string>();
            var path = operation["path"]!.GetValue<string>();
            var tokens = path.Split('/').Skip(1).Select(t => t.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)).ToList();
            Assert.NotEmpty(tokens);
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
                    Assert.True(o.ContainsKey(last), $"replace of missing {path}");
                    o[last] = value;
                    break;
                case ("remove", JsonObject o):
                    Assert.True(o.Remove(last), $"remove of missing {path}");
                    break;
                case ("add", JsonArray a):
                    if (last == "-")
                    {
                        a.Add(value);
                    }
                    else
                    {
                        var index = int.Parse(last, System.Globalization.CultureInfo.InvariantCulture);
                        Assert.InRange(index, 0, a.Count);
                        a.Insert(index, value);
                    }

                    break;
                case ("test", JsonObject o):
                    Assert.True(JsonNode.DeepEquals(o[last], value), $"test failed at {path}");
                    break;
                default:
                    throw new InvalidOperationException($"unsupported {op} at {path}");
            }
        }

        return root;
    }
}
