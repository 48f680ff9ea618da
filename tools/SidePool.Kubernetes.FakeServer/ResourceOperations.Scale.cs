using System.Text.Json.Nodes;

namespace SidePool.Kubernetes.FakeServer;

/// <summary>The <c>/scale</c> subresource: reads and writes the replicas through an <c>autoscaling/v1 Scale</c> view.</summary>
internal sealed partial class ResourceOperations
{
    public JsonObject GetScale(ResourceDefinition definition, string? @namespace, string name)
    {
        lock (_store.SyncRoot)
        {
            var current = _store.Get(definition, @namespace, name) ?? throw ApiException.NotFound(definition, name);
            return definition.Scale!.ToScale(current);
        }
    }

    /// <summary>The Scale after a merge or JSON patch of the current Scale view.</summary>
    public static JsonObject PatchedScale(JsonObject view, string contentType, string body)
    {
        var mediaType = contentType.Split(';')[0].Trim().ToLowerInvariant();
        var patched = mediaType switch
        {
            "application/merge-patch+json" or "application/strategic-merge-patch+json" => MergePatch.Apply(view, MergePatch.StripStrategicDirectives(ParsePatch(body))),
            "application/json-patch+json" => JsonPatch.Apply(view, ParsePatch(body)),
            _ => throw ApiException.UnsupportedMediaType("the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json"),
        };
        return patched as JsonObject ?? throw ApiException.BadRequest("the patched Scale is not an object");
    }

    private JsonObject UpdateScaleLocked(ResourceDefinition definition, JsonObject current, JsonObject scale, WriteOptions options)
    {
        var name = JsonNodes.MetaString(current, "name")!;
        var rv = JsonNodes.MetaString(scale, "resourceVersion");
        if (!string.IsNullOrEmpty(rv) && rv != JsonNodes.MetaString(current, "resourceVersion"))
        {
            throw ApiException.StaleResourceVersion(definition, name);
        }

        var replicas = JsonNodes.GetInt64(scale["spec"]?["replicas"]) ?? 0;
        if (replicas < 0)
        {
            throw new ApiException(422, "Invalid", $"Scale.autoscaling \"{name}\" is invalid: spec.replicas: Invalid value: {replicas}: must be greater than or equal to 0");
        }

        var updated = CommitUpdate(definition, current, definition.Scale!.WithReplicas(current, replicas), string.Empty, options, managedFieldsDone: false);
        return definition.Scale.ToScale(updated);
    }
}
