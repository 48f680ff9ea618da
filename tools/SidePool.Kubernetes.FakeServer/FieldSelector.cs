using System.Text.Json.Nodes;

namespace SidePool.Kubernetes.FakeServer;

/// <summary>
/// A parsed field selector (<c>=</c>, <c>==</c>, <c>!=</c>, comma-separated). Supported fields: <c>metadata.name</c>,
/// <c>metadata.namespace</c> for every resource, plus the common indexed fields of pods (<c>spec.nodeName</c>, <c>status.phase</c>, …),
/// events (<c>involvedObject.*</c>, <c>reason</c>, <c>type</c>, …), secrets (<c>type</c>), namespaces, nodes and jobs;
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
            if (!IsSupported(definition, field))
            {
                throw ApiException.BadRequest($"field label not supported: {field}");
            }

            terms.Add((field, equal, value));
        }

        return new FieldSelector(terms);
    }

    /// <summary>The field labels the real server indexes for each resource (the common ones).</summary>
    private static bool IsSupported(ResourceDefinition definition, string field)
    {
        if (field is "metadata.name" or "metadata.namespace")
        {
            return true;
        }

        return (definition.Group, definition.Plural) switch
        {
            ("", "pods") => field is "spec.nodeName" or "spec.restartPolicy" or "spec.schedulerName" or "spec.serviceAccountName"
                or "spec.hostNetwork" or "status.phase" or "status.podIP" or "status.nominatedNodeName",
            ("", "events") => field.StartsWith("involvedObject.", StringComparison.Ordinal)
                || field is "reason" or "reportingComponent" or "source" or "type",
            ("events.k8s.io", "events") => field.StartsWith("regarding.", StringComparison.Ordinal)
                || field is "reason" or "reportingController" or "type",
            ("", "secrets") => field == "type",
            ("", "namespaces") => field == "status.phase",
            ("", "nodes") => field == "spec.unschedulable",
            ("batch", "jobs") => field == "status.successful",
            _ => false,
        };
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
