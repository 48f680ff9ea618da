using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace SidePool.Kubernetes.FakeServer;

/// <summary>
/// The JSONPath subset of CRD <c>additionalPrinterColumns</c>: <c>.a.b</c>, <c>.a[0].b</c>, <c>.a['x.y']</c>,
/// <c>.a[?(@.type=="Ready")].status</c> (also <c>!=</c>), optionally wrapped in <c>{}</c>.
/// Internal extension: <c>{count:.path}</c> yields the number of entries of a map or list.
/// </summary>
internal static partial class JsonPathEvaluator
{
    public static JsonNode? Evaluate(JsonObject obj, string expression)
    {
        var path = expression.Trim();
        var count = false;
        if (path.StartsWith("{count:", StringComparison.Ordinal))
        {
            count = true;
            path = path["{count:".Length..^1];
        }
        else if (path.StartsWith('{') && path.EndsWith('}'))
        {
            path = path[1..^1];
        }

        if (path.StartsWith('$'))
        {
            path = path[1..];
        }

        var current = new List<JsonNode?> { obj };
        foreach (Match step in StepPattern().Matches(path))
        {
            current = current.SelectMany(node => Step(node, step)).ToList();
        }

        var first = current.FirstOrDefault(n => n is not null);
        if (count)
        {
            return JsonValue.Create(first switch
            {
                JsonObject o => o.Count,
                JsonArray a => a.Count,
                _ => 0,
            });
        }

        return first;
    }

    private static IEnumerable<JsonNode?> Step(JsonNode? node, Match step)
    {
        if (step.Groups["field"].Success)
        {
            return node is JsonObject o ? [o[step.Groups["field"].Value]] : [];
        }

        if (step.Groups["quoted"].Success)
        {
            return node is JsonObject o ? [o[step.Groups["quoted"].Value]] : [];
        }

        if (step.Groups["index"].Success)
        {
            var index = int.Parse(step.Groups["index"].Value, CultureInfo.InvariantCulture);
            if (node is not JsonArray a)
            {
                return [];
            }

            index = index < 0 ? a.Count + index : index;
            return index >= 0 && index < a.Count ? [a[index]] : [];
        }

        if (step.Groups["wildcard"].Success)
        {
            return node switch
            {
                JsonArray a => a,
                JsonObject o => o.Select(kv => kv.Value),
                _ => [],
            };
        }

        var filterPath = step.Groups["fpath"].Value.Split('.', StringSplitOptions.RemoveEmptyEntries);
        var op = step.Groups["fop"].Value;
        var literal = step.Groups["fvalue"].Value.Trim().Trim('"', '\'');
        if (node is not JsonArray list)
        {
            return [];
        }

        return list.Where(item =>
        {
            JsonNode? value = item;
            foreach (var segment in filterPath)
            {
                value = value is JsonObject o ? o[segment] : null;
            }

            var text = JsonNodes.ToPlainString(value);
            return op == "!=" ? text != literal : text == literal;
        }).ToList();
    }

    [GeneratedRegex("""\.(?<field>[A-Za-z0-9_\-/]+)|\[(?<index>-?\d+)\]|\[['"](?<quoted>[^'"]+)['"]\]|\[(?<wildcard>\*)\]|\[\?\(@\.(?<fpath>[A-Za-z0-9_.\-]+)\s*(?<fop>==|!=)\s*(?<fvalue>[^)]+)\)\]""")]
    private static partial Regex StepPattern();
}
