using System.Text.Json.Nodes;

namespace SidePool.Kubernetes.FakeServer;

/// <summary>
/// The server-side apply subset this fake implements (<c>application/apply-patch+yaml</c>):
/// <list type="bullet">
/// <item>The object is created when missing; <c>fieldManager</c> is required (400 otherwise).</item>
/// <item>Ownership is tracked per manager (and per subresource) at leaf field paths: maps are descended into,
/// scalars and lists are leaves (lists are atomic, no merge keys); of metadata only labels, annotations (per key),
/// finalizers and ownerReferences are owned. Ownership is written to <c>metadata.managedFields</c> as FieldsV1.</item>
/// <item>Applied maps are merged into the live object recursively; lists and scalars replace; nulls are ignored.</item>
/// <item>A field the manager applied before but omits now is removed, unless another manager also owns it.</item>
/// <item>Applying a different value to a field owned by another manager (Apply or Update) is a 409 Conflict
/// listing every conflicting field, unless <c>force=true</c>, which takes ownership from the other managers.
/// Applying the same value makes the managers co-owners.</item>
/// <item>Non-apply writes (create, update, patch) give their manager (<c>fieldManager</c> or the user agent) the fields they change.</item>
/// <item>On the main resource of a kind with a status subresource, <c>status</c> is ignored; on <c>/status</c> only <c>status</c> is applied.</item>
/// </list>
/// Not implemented: list merge keys (associative lists), set-type lists, field-level type validation, apply of <c>metadata.name</c> changes.
/// </summary>
internal static class ServerSideApply
{
    public static JsonObject Apply(JsonObject? current, JsonObject applied, string manager, bool force, string subresource, FieldPaths.Scope scope, string apiVersion, ResourceDefinition definition, string name, DateTimeOffset now)
    {
        var entries = ManagedFields.Read(current);
        var appliedLeaves = FieldPaths.Leaves(applied, scope);
        var me = new ManagedFieldsEntry(manager, "Apply", subresource, apiVersion, []);
        var others = entries.Where(e => !e.SameOwner(me)).ToList();

        var conflicts = new List<(string Path, ManagedFieldsEntry Manager)>();
        foreach (var path in appliedLeaves)
        {
            if (current is not null && FieldPaths.Exists(current, path)
                && JsonNode.DeepEquals(FieldPaths.ValueAt(current, path), FieldPaths.ValueAt(applied, path)))
            {
                continue;
            }

            foreach (var other in others)
            {
                if (other.Paths.Any(p => FieldPaths.Overlaps(p, path)))
                {
                    conflicts.Add((path, other));
                }
            }
        }

        if (conflicts.Count > 0 && !force)
        {
            throw ConflictError(conflicts, definition, name);
        }

        foreach (var (path, _) in conflicts)
        {
            foreach (var other in others)
            {
                other.Paths.RemoveWhere(p => FieldPaths.Overlaps(p, path));
            }
        }

        var result = current?.DeepClone().AsObject() ?? new JsonObject();
        var previous = entries.Find(e => e.SameOwner(me))?.Paths ?? [];
        foreach (var path in previous.Where(p => !appliedLeaves.Contains(p)))
        {
            if (!others.Any(o => o.Paths.Any(p2 => FieldPaths.Overlaps(p2, path))))
            {
                FieldPaths.Remove(result, path);
            }
        }

        MergeInto(result, ScopeOf(applied, scope));
        var updated = others.Where(o => o.Paths.Count > 0).ToList();
        updated.Add(me with { Paths = appliedLeaves });
        ManagedFields.Write(result, updated, now);
        return result;
    }

    private static JsonObject ScopeOf(JsonObject applied, FieldPaths.Scope scope)
    {
        var copy = new JsonObject();
        foreach (var (key, value) in applied)
        {
            var keep = scope switch
            {
                FieldPaths.Scope.Status => key is "status" or "metadata",
                FieldPaths.Scope.MainResource => key != "status",
                _ => true,
            };
            if (keep)
            {
                copy[key] = value?.DeepClone();
            }
        }

        if (copy["metadata"] is JsonObject metadata)
        {
            foreach (var system in new[] { "uid", "resourceVersion", "generation", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "managedFields" })
            {
                metadata.Remove(system);
            }

            if (scope == FieldPaths.Scope.Status)
            {
                metadata.Remove("labels");
                metadata.Remove("annotations");
                metadata.Remove("finalizers");
                metadata.Remove("ownerReferences");
            }
        }

        return copy;
    }

    private static void MergeInto(JsonObject target, JsonObject source)
    {
        foreach (var (key, value) in source)
        {
            if (value is null)
            {
                continue;
            }

            if (value is JsonObject sourceChild && target[key] is JsonObject targetChild)
            {
                MergeInto(targetChild, sourceChild);
            }
            else
            {
                target[key] = value.DeepClone();
            }
        }
    }

    private static ApiException ConflictError(List<(string Path, ManagedFieldsEntry Manager)> conflicts, ResourceDefinition definition, string name)
    {
        var causes = new JsonArray();
        foreach (var (path, manager) in conflicts)
        {
            causes.Add(new JsonObject
            {
                ["reason"] = "FieldManagerConflict",
                ["message"] = $"conflict with {Display(manager)}",
                ["field"] = FieldPaths.Display(path),
            });
        }

        var details = new JsonObject { ["name"] = name };
        if (definition.Group.Length > 0)
        {
            details["group"] = definition.Group;
        }

        details["kind"] = definition.Plural;
        details["causes"] = causes;

        // structured-merge-diff's wording: one conflict inline, several grouped by manager
        string text;
        if (conflicts.Count == 1)
        {
            text = $"conflict with {Display(conflicts[0].Manager)}: {FieldPaths.Display(conflicts[0].Path)}";
        }
        else
        {
            var lines = new List<string>();
            foreach (var group in conflicts.GroupBy(c => Display(c.Manager)).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                lines.Add($"conflicts with {group.Key}:");
                lines.AddRange(group.Select(c => FieldPaths.Display(c.Path)).Order(StringComparer.Ordinal).Select(p => "- " + p));
            }

            text = string.Join("\n", lines);
        }

        var plural = conflicts.Count == 1 ? "conflict" : "conflicts";
        return new ApiException(409, "Conflict", $"Apply failed with {conflicts.Count} {plural}: {text}", details);
    }

    /// <summary>How the apiserver names a manager in conflicts: Update managers with the version they used.</summary>
    private static string Display(ManagedFieldsEntry manager) =>
        manager.Operation == "Update" ? $"\"{manager.Manager}\" using {manager.ApiVersion}" : $"\"{manager.Manager}\"";
}
