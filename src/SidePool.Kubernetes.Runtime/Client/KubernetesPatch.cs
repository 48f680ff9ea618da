using System.Text.Json.Nodes;
using k8s.Models;

namespace SidePool.Kubernetes.Client;

/// <summary>The patch formats the API server accepts.</summary>
public enum PatchType
{
    /// <summary>RFC 6902, <c>application/json-patch+json</c>.</summary>
    JsonPatch,

    /// <summary>RFC 7386, <c>application/merge-patch+json</c>.</summary>
    MergePatch,

    /// <summary><c>application/strategic-merge-patch+json</c> (built-in kinds only).</summary>
    StrategicMergePatch,

    /// <summary>Server-side apply, <c>application/apply-patch+yaml</c> (JSON is valid YAML).</summary>
    Apply,
}

/// <summary>A patch body and its type.</summary>
public sealed record KubernetesPatch(PatchType Type, string Body)
{
    public string ContentType => Type switch
    {
        PatchType.JsonPatch => "application/json-patch+json",
        PatchType.MergePatch => "application/merge-patch+json",
        PatchType.StrategicMergePatch => "application/strategic-merge-patch+json",
        PatchType.Apply => "application/apply-patch+yaml",
        _ => throw new ArgumentOutOfRangeException(nameof(Type)),
    };

    public static KubernetesPatch Json(JsonArray operations) => new(PatchType.JsonPatch, operations.ToJsonString());

    public static KubernetesPatch Merge(JsonObject patch) => new(PatchType.MergePatch, patch.ToJsonString());

    public static KubernetesPatch StrategicMerge(JsonObject patch) => new(PatchType.StrategicMergePatch, patch.ToJsonString());

    /// <summary>A JSON patch operation object: <c>{"op":..,"path":..,"value":..}</c>.</summary>
    public static JsonObject Operation(string op, string path, JsonNode? value = null)
    {
        var operation = new JsonObject { ["op"] = op, ["path"] = path };
        if (value is not null || op is "add" or "replace" or "test")
        {
            operation["value"] = value;
        }

        return operation;
    }

    /// <summary>Escapes a key for a JSON pointer (<c>~</c> → <c>~0</c>, <c>/</c> → <c>~1</c>), e.g. an annotation name.</summary>
    public static string EscapePointer(string key) => key.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);

    /// <summary>KubernetesClient's form of this patch (it sets the content type from the patch type).</summary>
    internal V1Patch ToV1Patch() => new(Body, Type switch
    {
        PatchType.JsonPatch => V1Patch.PatchType.JsonPatch,
        PatchType.MergePatch => V1Patch.PatchType.MergePatch,
        PatchType.StrategicMergePatch => V1Patch.PatchType.StrategicMergePatch,
        PatchType.Apply => V1Patch.PatchType.ApplyPatch,
        _ => throw new ArgumentOutOfRangeException(nameof(Type)),
    });
}
