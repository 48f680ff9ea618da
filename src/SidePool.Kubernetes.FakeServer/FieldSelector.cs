using System.Text.Json.Nodes;

namespace SidePool.Kubernetes.FakeServer;

/// <summary>
/// A parsed field selector (<c>=</c>, <c>==</c>, <c>!=</c>, comma-separated). Supported fields: <c>metadata.name</c>,
/// <c>metadata.namespace</c> for every resource, plus <c>spec.nodeName</c> and <c>status.phase</c> for pods;
/// anything else is a 400 like the real server's "field label not supported".
/// </summary>
internal sealed class FieldSelector
{
    private readonly List<(string Field, bool Equal, string Value)> _terms;

    private FieldSelector(List<(string Field, bool Equal, string Value)> terms) => _terms = terms;

    public static FieldSelector Everything { get; } = new([]);

    /// <summary>The exact name this selector requires, if any (used by kubectl's single-object watches).</summary>
    public string? RequiredName => _terms.Find(t => t.Field == "metadata.name" && t.Equal).Value;

    public static FieldSelector Parse(string? text, ResourceDefinition definition)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return Everything;
        }

        var terms = new List<(string, bool, string)>();
        foreach (var raw in text.Split(','))
        {
            var part = raw.Trim();
            var (field, equal, value) = Split(part);
            var supported = field is "metadata.name" or "metadata.namespace"
                || (definition.Group.Length == 0 && definition.Plural == "pods" && field is "spec.nodeName" or "status.phase");
            if (!supported)
            {
                throw ApiException.BadRequest($"field label not supported: {field}");
            }

            terms.Add((field, equal, value));
        }

        return new FieldSelector(terms);
    }

    public bool Matches(JsonObject obj) => _terms.TrueForAll(t =>
    {
        var path = t.Field.Split('.');
        JsonNode? node = obj;
        foreach (var segment in path)
        {
            node = node is JsonObject o ? o[segment] : null;
        }

        var actual = JsonNodes.ToPlainString(node);
        return t.Equal ? actual == t.Value : actual != t.Value;
    });

    private static (string Field, bool Equal, string Value) Split(string part)
    {
        foreach (var (token, equal) in new[] { ("!=", false), ("==", true), ("=", true) })
        {
            var index = part.IndexOf(token, StringComparison.Ordinal);
            if (index > 0)
            {
                return (part[..index].Trim(), equal, part[(index + token.Length)..].Trim());
            }
        }

        throw ApiException.BadRequest($"invalid selector: '{part}'; can't understand '{part}'");
    }
}
