using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SidePool.Kubernetes.FakeServer.Controllers;

/// <summary>Helpers the workload controllers share (pod states, owner references, hashing, int-or-percent, conditions).</summary>
internal static class Workloads
{
    private const string SafeAlphabet = "bcdfghjklmnpqrstvwxz2456789";

    public static string Name(JsonObject obj) => JsonNodes.MetaString(obj, "name")!;

    public static string Uid(JsonObject obj) => JsonNodes.MetaString(obj, "uid")!;

    public static string? Namespace(JsonObject obj) => JsonNodes.MetaString(obj, "namespace");

    public static bool Deleting(JsonObject obj) => obj["metadata"]?["deletionTimestamp"] is not null;

    public static long Generation(JsonObject obj) => JsonNodes.GetInt64(obj["metadata"]?["generation"]) ?? 0;

    public static DateTimeOffset Created(JsonObject obj) =>
        DateTimeOffset.TryParse(JsonNodes.MetaString(obj, "creationTimestamp"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : DateTimeOffset.MinValue;

    /// <summary>The uid of the owner reference with <c>controller: true</c>.</summary>
    public static string? ControllerUid(JsonObject obj) => ControllerReference(obj) is { } reference ? JsonNodes.GetString(reference, "uid") : null;

    public static JsonObject? ControllerReference(JsonObject obj) =>
        (obj["metadata"]?["ownerReferences"] as JsonArray)?.OfType<JsonObject>()
            .FirstOrDefault(r => r["controller"] is JsonValue v && v.GetValueKind() == JsonValueKind.True);

    /// <summary>The <c>controller: true, blockOwnerDeletion: true</c> reference to <paramref name="owner"/>.</summary>
    public static JsonObject ControllerReferenceTo(JsonObject owner, string apiVersion, string kind) => new()
    {
        ["apiVersion"] = apiVersion,
        ["kind"] = kind,
        ["name"] = Name(owner),
        ["uid"] = Uid(owner),
        ["controller"] = true,
        ["blockOwnerDeletion"] = true,
    };

    public static string? Phase(JsonObject pod) => JsonNodes.GetString(pod["status"], "phase");

    /// <summary>Not being deleted and not Succeeded/Failed (the ReplicaSet controller's "active").</summary>
    public static bool IsActive(JsonObject pod) => !Deleting(pod) && Phase(pod) is not ("Succeeded" or "Failed");

    /// <summary>Being deleted but not yet Succeeded/Failed.</summary>
    public static bool IsTerminating(JsonObject pod) => Deleting(pod) && Phase(pod) is not ("Succeeded" or "Failed");

    public static JsonObject? Condition(JsonObject obj, string type) =>
        (obj["status"]?["conditions"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(c => JsonNodes.GetString(c, "type") == type);

    public static bool IsReady(JsonObject pod) => JsonNodes.GetString(Condition(pod, "Ready"), "status") == "True";

    /// <summary>Ready for at least <paramref name="minReadySeconds"/>.</summary>
    public static bool IsAvailable(JsonObject pod, long minReadySeconds, DateTimeOffset now)
    {
        if (!IsReady(pod))
        {
            return false;
        }

        if (minReadySeconds <= 0)
        {
            return true;
        }

        var since = ReadySince(pod);
        return since is not null && since.Value.AddSeconds(minReadySeconds) <= now;
    }

    public static DateTimeOffset? ReadySince(JsonObject pod) =>
        DateTimeOffset.TryParse(JsonNodes.GetString(Condition(pod, "Ready"), "lastTransitionTime"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : null;

    public static long Int(JsonNode? node, long fallback) => JsonNodes.GetInt64(node) ?? fallback;

    /// <summary><c>intstr.GetScaledValueFromIntOrPercent</c>: an int as is, a percent of <paramref name="total"/> rounded up or down.</summary>
    public static long Scaled(JsonNode? value, string fallback, long total, bool roundUp)
    {
        var text = value is null ? fallback : JsonNodes.ToPlainString(value);
        if (!text.EndsWith('%'))
        {
            return long.Parse(text, CultureInfo.InvariantCulture);
        }

        var percent = decimal.Parse(text[..^1], CultureInfo.InvariantCulture);
        var exact = percent * total / 100m;
        return (long)(roundUp ? Math.Ceiling(exact) : Math.Floor(exact));
    }

    public static Dictionary<string, string> TemplateLabels(JsonObject workload)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (workload["spec"]?["template"]?["metadata"]?["labels"] is JsonObject labels)
        {
            foreach (var (key, value) in labels)
            {
                result[key] = JsonNodes.ToPlainString(value);
            }
        }

        return result;
    }

    /// <summary>
    /// The pod-template hash: FNV-32a over the template in a canonical form (sorted keys) and the collision count, printed as
    /// a decimal and mapped through the apiserver's safe alphabet (so it looks like <c>5d59d67564</c>). Same template, same hash.
    /// </summary>
    public static string TemplateHash(JsonNode? template, long? collisionCount)
    {
        var bytes = Encoding.UTF8.GetBytes(Canonical(template));
        var hash = 2166136261u;
        foreach (var b in bytes)
        {
            hash = (hash ^ b) * 16777619u;
        }

        if (collisionCount is { } count)
        {
            foreach (var b in BitConverter.GetBytes((uint)count))
            {
                hash = (hash ^ b) * 16777619u;
            }
        }

        var digits = hash.ToString(CultureInfo.InvariantCulture);
        return new string(digits.Select(c => SafeAlphabet[c % SafeAlphabet.Length]).ToArray());
    }

    /// <summary>JSON with object keys sorted, for comparing and hashing.</summary>
    public static string Canonical(JsonNode? node)
    {
        var builder = new StringBuilder();
        Write(node, builder);
        return builder.ToString();
    }

    /// <summary>Sets a status condition (keeps <c>lastTransitionTime</c> when the status does not change).</summary>
    public static void SetCondition(JsonObject status, string type, string conditionStatus, string reason, string message, string now, bool withLastUpdate)
    {
        if (status["conditions"] is not JsonArray conditions)
        {
            conditions = [];
            status["conditions"] = conditions;
        }

        var existing = conditions.OfType<JsonObject>().FirstOrDefault(c => JsonNodes.GetString(c, "type") == type);
        var transition = existing is not null && JsonNodes.GetString(existing, "status") == conditionStatus
            ? JsonNodes.GetString(existing, "lastTransitionTime") ?? now
            : now;
        var condition = new JsonObject { ["type"] = type, ["status"] = conditionStatus };
        if (withLastUpdate)
        {
            condition["lastUpdateTime"] = now;
        }

        condition["lastTransitionTime"] = transition;
        condition["reason"] = reason;
        condition["message"] = message;
        if (existing is null)
        {
            conditions.Add(condition);
        }
        else
        {
            conditions[conditions.IndexOf(existing)] = condition;
        }
    }

    public static void RemoveCondition(JsonObject status, string type)
    {
        if (status["conditions"] is JsonArray conditions)
        {
            foreach (var condition in conditions.OfType<JsonObject>().Where(c => JsonNodes.GetString(c, "type") == type).ToList())
            {
                conditions.Remove(condition);
            }

            if (conditions.Count == 0)
            {
                status.Remove("conditions");
            }
        }
    }

    private static void Write(JsonNode? node, StringBuilder builder)
    {
        switch (node)
        {
            case JsonObject obj:
                builder.Append('{');
                var first = true;
                foreach (var (key, value) in obj.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    if (!first)
                    {
                        builder.Append(',');
                    }

                    first = false;
                    builder.Append(JsonSerializer.Serialize(key)).Append(':');
                    Write(value, builder);
                }

                builder.Append('}');
                break;
            case JsonArray array:
                builder.Append('[');
                for (var i = 0; i < array.Count; i++)
                {
                    if (i > 0)
                    {
                        builder.Append(',');
                    }

                    Write(array[i], builder);
                }

                builder.Append(']');
                break;
            case null:
                builder.Append("null");
                break;
            default:
                builder.Append(node.ToJsonString());
                break;
        }
    }
}
