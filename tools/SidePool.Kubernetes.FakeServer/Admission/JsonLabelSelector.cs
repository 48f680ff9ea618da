using System.Text.Json.Nodes;

namespace SidePool.Kubernetes.FakeServer.Admission;

/// <summary>A <c>metav1.LabelSelector</c> given as JSON (<c>matchLabels</c>, <c>matchExpressions</c> with In, NotIn, Exists, DoesNotExist).</summary>
internal static class JsonLabelSelector
{
    /// <summary>True when the selector has no requirement (null or empty): it selects everything.</summary>
    public static bool IsEmpty(JsonObject? selector) =>
        selector is null
        || ((selector["matchLabels"] as JsonObject)?.Count ?? 0) == 0 && ((selector["matchExpressions"] as JsonArray)?.Count ?? 0) == 0;

    /// <summary>Whether <paramref name="labels"/> satisfy every requirement. An empty selector matches everything.</summary>
    public static bool Matches(JsonObject? selector, IReadOnlyDictionary<string, string> labels)
    {
        if (selector is null)
        {
            return true;
        }

        if (selector["matchLabels"] is JsonObject matchLabels)
        {
            foreach (var (key, value) in matchLabels)
            {
                if (!labels.TryGetValue(key, out var actual) || actual != JsonNodes.ToPlainString(value))
                {
                    return false;
                }
            }
        }

        foreach (var requirement in (selector["matchExpressions"] as JsonArray)?.OfType<JsonObject>() ?? [])
        {
            var key = JsonNodes.GetString(requirement, "key") ?? string.Empty;
            var values = (requirement["values"] as JsonArray)?.Select(JsonNodes.ToPlainString).ToHashSet(StringComparer.Ordinal) ?? [];
            var has = labels.TryGetValue(key, out var actual);
            var ok = JsonNodes.GetString(requirement, "operator") switch
            {
                "In" => has && values.Contains(actual!),
                "NotIn" => !has || !values.Contains(actual!),
                "Exists" => has,
                "DoesNotExist" => !has,
                _ => false,
            };
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }
}
