using System.Text.Json.Nodes;

namespace SidePool.Kubernetes.FakeServer;

/// <summary>One <c>metadata.managedFields</c> entry, decoded.</summary>
internal sealed record ManagedFieldsEntry(string Manager, string Operation, string Subresource, string ApiVersion, HashSet<string> Paths)
{
    public bool SameOwner(ManagedFieldsEntry other) =>
        Manager == other.Manager && Operation == other.Operation && Subresource == other.Subresource;
}

/// <summary>Reads and writes <c>metadata.managedFields</c>.</summary>
internal static class ManagedFields
{
    public static List<ManagedFieldsEntry> Read(JsonObject? obj)
    {
        var result = new List<ManagedFieldsEntry>();
        if (obj?["metadata"]?["managedFields"] is not JsonArray array)
        {
            return result;
        }

        foreach (var item in array)
        {
            if (item is JsonObject entry)
            {
                result.Add(new ManagedFieldsEntry(
                    JsonNodes.GetString(entry, "manager") ?? string.Empty,
                    JsonNodes.GetString(entry, "operation") ?? "Update",
                    JsonNodes.GetString(entry, "subresource") ?? string.Empty,
                    JsonNodes.GetString(entry, "apiVersion") ?? string.Empty,
                    FieldPaths.FromFieldsV1(entry["fieldsV1"])));
            }
        }

        return result;
    }

    public static void Write(JsonObject obj, IEnumerable<ManagedFieldsEntry> entries, DateTimeOffset now)
    {
        var array = new JsonArray();
        foreach (var entry in entries.Where(e => e.Paths.Count > 0))
        {
            var node = new JsonObject
            {
                ["manager"] = entry.Manager,
                ["operation"] = entry.Operation,
                ["apiVersion"] = entry.ApiVersion,
                ["time"] = JsonNodes.Timestamp(now),
                ["fieldsType"] = "FieldsV1",
                ["fieldsV1"] = FieldPaths.ToFieldsV1(entry.Paths),
            };
            if (entry.Subresource.Length > 0)
            {
                node["subresource"] = entry.Subresource;
            }

            array.Add(node);
        }

        var metadata = JsonNodes.Metadata(obj);
        if (array.Count > 0)
        {
            metadata["managedFields"] = array;
        }
        else
        {
            metadata.Remove("managedFields");
        }
    }

    /// <summary>Records a non-apply write: <paramref name="manager"/> takes the fields it changed; removed fields lose their owners.</summary>
    public static void RecordUpdate(JsonObject? before, JsonObject after, string manager, string subresource, FieldPaths.Scope scope, string apiVersion, DateTimeOffset now)
    {
        var entries = Read(before);
        var oldLeaves = FieldPaths.Leaves(before, scope);
        var newLeaves = FieldPaths.Leaves(after, scope);
        var changed = newLeaves.Where(p => !oldLeaves.Contains(p) || !JsonNode.DeepEquals(FieldPaths.ValueAt(before, p), FieldPaths.ValueAt(after, p))).ToHashSet(StringComparer.Ordinal);
        var removed = oldLeaves.Where(p => !newLeaves.Contains(p)).ToList();
        foreach (var entry in entries)
        {
            entry.Paths.RemoveWhere(p => removed.Any(r => FieldPaths.Overlaps(p, r)) || changed.Any(c => FieldPaths.Overlaps(p, c)));
        }

        if (changed.Count > 0)
        {
            var mine = new ManagedFieldsEntry(manager, "Update", subresource, apiVersion, []);
            var existing = entries.Find(e => e.SameOwner(mine));
            if (existing is null)
            {
                entries.Add(mine with { Paths = changed });
            }
            else
            {
                existing.Paths.UnionWith(changed);
            }
        }

        Write(after, entries, now);
    }
}
