using System.Text.Json.Nodes;

namespace SidePool.Kubernetes.FakeServer;

/// <summary>
/// Strategic merge patch for built-in kinds, without the Go type schemas: merge keys are chosen by list field name
/// (<c>containers</c>, <c>initContainers</c>, <c>ephemeralContainers</c>, <c>volumes</c>, <c>env</c>, <c>imagePullSecrets</c>,
/// <c>webhooks</c> by <c>name</c>; <c>ports</c> by <c>containerPort</c> or <c>port</c>; <c>volumeMounts</c> by <c>mountPath</c>;
/// <c>volumeDevices</c> by <c>devicePath</c>; <c>conditions</c> by <c>type</c>; <c>ownerReferences</c> by <c>uid</c>;
/// <c>hostAliases</c> by <c>ip</c>); <c>finalizers</c> merge as a set; every other list is replaced.
/// Directives: <c>$patch: replace|delete</c> (maps and list items), <c>$retainKeys</c>, <c>$deleteFromPrimitiveList/…</c>;
/// <c>$setElementOrder/…</c> is accepted and ignored (merged items keep the live order, new items are appended).
/// </summary>
internal static class StrategicMergePatch
{
    private static readonly Dictionary<string, string[]> MergeKeys = new(StringComparer.Ordinal)
    {
        ["containers"] = ["name"],
        ["initContainers"] = ["name"],
        ["ephemeralContainers"] = ["name"],
        ["volumes"] = ["name"],
        ["env"] = ["name"],
        ["imagePullSecrets"] = ["name"],
        ["webhooks"] = ["name"],
        ["ports"] = ["containerPort", "port"],
        ["volumeMounts"] = ["mountPath"],
        ["volumeDevices"] = ["devicePath"],
        ["conditions"] = ["type"],
        ["ownerReferences"] = ["uid"],
        ["hostAliases"] = ["ip"],
    };

    private static readonly HashSet<string> SetLists = new(StringComparer.Ordinal) { "finalizers" };

    public static JsonObject Apply(JsonObject target, JsonObject patch)
    {
        var result = target.DeepClone().AsObject();
        MergeObject(result, patch);
        return result;
    }

    private static void MergeObject(JsonObject target, JsonObject patch)
    {
        if (JsonNodes.GetString(patch, "$patch") == "replace")
        {
            target.Clear();
            foreach (var (key, value) in patch)
            {
                if (!key.StartsWith('$'))
                {
                    target[key] = MergePatch.StripStrategicDirectives(value);
                }
            }

            return;
        }

        foreach (var (key, value) in patch)
        {
            if (key.StartsWith("$deleteFromPrimitiveList/", StringComparison.Ordinal))
            {
                var field = key["$deleteFromPrimitiveList/".Length..];
                if (target[field] is JsonArray existing && value is JsonArray remove)
                {
                    foreach (var item in existing.Where(i => remove.Any(r => JsonNode.DeepEquals(r, i))).ToList())
                    {
                        existing.Remove(item);
                    }
                }

                continue;
            }

            if (key.StartsWith('$'))
            {
                continue;
            }

            if (value is null)
            {
                target.Remove(key);
            }
            else if (value is JsonObject patchChild && JsonNodes.GetString(patchChild, "$patch") == "delete")
            {
                target.Remove(key);
            }
            else if (value is JsonObject childPatch)
            {
                if (target[key] is not JsonObject child)
                {
                    child = new JsonObject();
                    target[key] = child;
                }

                MergeObject(child, childPatch);
            }
            else if (value is JsonArray list)
            {
                target[key] = MergeList(key, target[key] as JsonArray, list);
            }
            else
            {
                target[key] = value.DeepClone();
            }
        }

        if (patch["$retainKeys"] is JsonArray retain)
        {
            var keep = retain.Select(JsonNodes.ToPlainString).ToHashSet(StringComparer.Ordinal);
            foreach (var key in target.Select(p => p.Key).Where(k => !keep.Contains(k)).ToList())
            {
                target.Remove(key);
            }
        }
    }

    private static JsonArray MergeList(string field, JsonArray? current, JsonArray patch)
    {
        if (patch.OfType<JsonObject>().Any(i => JsonNodes.GetString(i, "$patch") == "replace"))
        {
            return new JsonArray(patch.Where(i => !(i is JsonObject o && o.ContainsKey("$patch"))).Select(MergePatch.StripStrategicDirectives).ToArray());
        }

        if (SetLists.Contains(field))
        {
            var merged = current?.DeepClone().AsArray() ?? [];
            foreach (var item in patch.Where(i => !merged.Any(m => JsonNode.DeepEquals(m, i))))
            {
                merged.Add(item?.DeepClone());
            }

            return merged;
        }

        var key = MergeKeys.TryGetValue(field, out var candidates)
            ? candidates.FirstOrDefault(k => patch.OfType<JsonObject>().Any(i => i.ContainsKey(k)) || (current?.OfType<JsonObject>().Any(i => i.ContainsKey(k)) ?? false))
            : null;
        if (key is null || current is null)
        {
            return new JsonArray(patch.Where(i => !(i is JsonObject o && JsonNodes.GetString(o, "$patch") == "delete")).Select(MergePatch.StripStrategicDirectives).ToArray());
        }

        var result = current.DeepClone().AsArray();
        foreach (var item in patch)
        {
            if (item is not JsonObject patchItem || !patchItem.TryGetPropertyValue(key, out var keyValue))
            {
                result.Add(MergePatch.StripStrategicDirectives(item));
                continue;
            }

            var match = result.OfType<JsonObject>().FirstOrDefault(r => JsonNode.DeepEquals(r[key], keyValue));
            if (JsonNodes.GetString(patchItem, "$patch") == "delete")
            {
                if (match is not null)
                {
                    result.Remove(match);
                }
            }
            else if (match is null)
            {
                result.Add(MergePatch.StripStrategicDirectives(patchItem));
            }
            else
            {
                MergeObject(match, patchItem);
            }
        }

        return result;
    }
}
