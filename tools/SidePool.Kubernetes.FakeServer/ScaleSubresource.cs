using System.Text.Json.Nodes;

namespace SidePool.Kubernetes.FakeServer;

/// <summary>
/// The <c>/scale</c> subresource (<c>autoscaling/v1 Scale</c>): where the replicas live in the object.
/// Paths are the CRD <c>subresources.scale</c> JSONPaths (simple <c>.a.b</c> form).
/// </summary>
public sealed record ScaleSubresource(string SpecReplicasPath = ".spec.replicas", string StatusReplicasPath = ".status.replicas", string? LabelSelectorPath = null)
{
    /// <summary>The Scale view of <paramref name="obj"/>.</summary>
    internal JsonObject ToScale(JsonObject obj)
    {
        var metadata = new JsonObject();
        foreach (var field in new[] { "name", "namespace", "uid", "resourceVersion", "creationTimestamp" })
        {
            if (obj["metadata"]?[field] is { } value)
            {
                metadata[field] = value.DeepClone();
            }
        }

        var status = new JsonObject { ["replicas"] = JsonNodes.GetInt64(JsonPathEvaluator.Evaluate(obj, StatusReplicasPath)) ?? 0 };
        var selector = LabelSelectorPath is null
            ? SelectorString(obj["spec"]?["selector"])
            : JsonNodes.ToPlainString(JsonPathEvaluator.Evaluate(obj, LabelSelectorPath));
        if (!string.IsNullOrEmpty(selector))
        {
            status["selector"] = selector;
        }

        return new JsonObject
        {
            ["kind"] = "Scale",
            ["apiVersion"] = "autoscaling/v1",
            ["metadata"] = metadata,
            ["spec"] = new JsonObject { ["replicas"] = JsonNodes.GetInt64(JsonPathEvaluator.Evaluate(obj, SpecReplicasPath)) ?? 0 },
            ["status"] = status,
        };
    }

    /// <summary>A copy of <paramref name="obj"/> with the Scale's <c>spec.replicas</c> written to <see cref="SpecReplicasPath"/>.</summary>
    internal JsonObject WithReplicas(JsonObject obj, long replicas)
    {
        var copy = obj.DeepClone().AsObject();
        var segments = SpecReplicasPath.TrimStart('.').Split('.');
        var node = copy;
        foreach (var segment in segments[..^1])
        {
            if (node[segment] is not JsonObject child)
            {
                child = new JsonObject();
                node[segment] = child;
            }

            node = child;
        }

        node[segments[^1]] = replicas;
        return copy;
    }

    private static string SelectorString(JsonNode? selector)
    {
        if (selector?["matchLabels"] is not JsonObject labels)
        {
            return string.Empty;
        }

        return string.Join(",", labels.Select(l => $"{l.Key}={JsonNodes.ToPlainString(l.Value)}"));
    }
}
