using System.Text.Json;
using System.Text.Json.Nodes;

namespace SidePool.Kubernetes.FakeServer;

/// <summary>
/// Turns <c>apiextensions.k8s.io/v1 CustomResourceDefinition</c> objects into served resources: every served version,
/// scope, names, the status subresource and <c>additionalPrinterColumns</c>. Sets the CRD's status
/// (NamesAccepted and Established conditions, acceptedNames, storedVersions). Deleting a CRD unregisters it and deletes its objects.
/// </summary>
internal sealed class CustomResourceDefinitions
{
    private readonly ResourceRegistry _registry;
    private readonly ObjectStore _store;

    public CustomResourceDefinitions(ResourceRegistry registry, ObjectStore store)
    {
        _registry = registry;
        _store = store;
    }

    /// <summary>Validates the CRD, sets its status and (unless dry run) registers its versions. Store lock held.</summary>
    public void Prepare(JsonObject crd, bool dryRun)
    {
        var crdDefinition = _registry.Find("apiextensions.k8s.io", "v1", "customresourcedefinitions")!;
        var name = JsonNodes.MetaString(crd, "name") ?? string.Empty;
        var spec = crd["spec"] as JsonObject ?? throw ApiException.Invalid(crdDefinition, name, "spec", "Required value");
        var group = JsonNodes.GetString(spec, "group") ?? throw ApiException.Invalid(crdDefinition, name, "spec.group", "Required value");
        var names = spec["names"] as JsonObject ?? throw ApiException.Invalid(crdDefinition, name, "spec.names", "Required value");
        var plural = JsonNodes.GetString(names, "plural") ?? throw ApiException.Invalid(crdDefinition, name, "spec.names.plural", "Required value");
        var kind = JsonNodes.GetString(names, "kind") ?? throw ApiException.Invalid(crdDefinition, name, "spec.names.kind", "Required value");
        if (name != $"{plural}.{group}")
        {
            throw ApiException.Invalid(crdDefinition, name, "metadata.name", $"Invalid value: \"{name}\": must be spec.names.plural+\".\"+spec.group");
        }

        var singular = JsonNodes.GetString(names, "singular") ?? kind.ToLowerInvariant();
        var shortNames = Strings(names["shortNames"]);
        var categories = Strings(names["categories"]);
        var namespaced = JsonNodes.GetString(spec, "scope") != "Cluster";
        var versions = spec["versions"] as JsonArray ?? throw ApiException.Invalid(crdDefinition, name, "spec.versions", "Required value");
        var definitions = new List<ResourceDefinition>();
        var storedVersions = new JsonArray();
        foreach (var version in versions.OfType<JsonObject>())
        {
            var versionName = JsonNodes.GetString(version, "name") ?? throw ApiException.Invalid(crdDefinition, name, "spec.versions.name", "Required value");
            if (version["storage"] is JsonValue storage && storage.GetValueKind() == JsonValueKind.True)
            {
                storedVersions.Add(versionName);
            }

            if (version["served"] is JsonValue served && served.GetValueKind() == JsonValueKind.False)
            {
                continue;
            }

            var hasStatus = version["subresources"]?["status"] is not null;
            definitions.Add(new ResourceDefinition(group, versionName, kind, plural, singular, namespaced, shortNames, categories, hasStatus)
            {
                IsCustomResource = true,
                OpenApiSchema = version["schema"]?["openAPIV3Schema"]?.DeepClone() as JsonObject,
                Scale = version["subresources"]?["scale"] is JsonObject scale
                    ? new ScaleSubresource(
                        JsonNodes.GetString(scale, "specReplicasPath") ?? ".spec.replicas",
                        JsonNodes.GetString(scale, "statusReplicasPath") ?? ".status.replicas",
                        JsonNodes.GetString(scale, "labelSelectorPath"))
                    : null,
                PrinterColumns = PrinterColumns(version["additionalPrinterColumns"]),
            });
        }

        crd["status"] = new JsonObject
        {
            ["conditions"] = new JsonArray(
                Condition("NamesAccepted", "NoConflicts", "no conflicts found", crd),
                Condition("Established", "InitialNamesAccepted", "the initial names have been accepted", crd)),
            ["acceptedNames"] = names.DeepClone(),
            ["storedVersions"] = storedVersions,
        };
        if (dryRun)
        {
            return;
        }

        foreach (var stale in _registry.All().Where(d => d.Group == group && d.Plural == plural && definitions.TrueForAll(n => n.Version != d.Version)))
        {
            _registry.Unregister(stale.Group, stale.Plural);
        }

        foreach (var definition in definitions)
        {
            _registry.Register(definition);
        }
    }

    /// <summary>The CRD is gone: unregister and delete its objects. Store lock held.</summary>
    public void Removed(JsonObject crd)
    {
        var group = JsonNodes.GetString(crd["spec"], "group");
        var plural = JsonNodes.GetString(crd["spec"]?["names"], "plural");
        if (group is null || plural is null)
        {
            return;
        }

        var definition = _registry.All().FirstOrDefault(d => d.Group == group && d.Plural == plural);
        if (definition is not null)
        {
            foreach (var item in _store.List(definition, null))
            {
                _store.Remove(definition, item.Value);
            }

            foreach (var subscription in _store.Subscriptions.Where(s => s.StorageKey == definition.StorageKey))
            {
                subscription.Dropped.Cancel();
            }
        }

        _registry.Unregister(group, plural);
    }

    private static JsonObject Condition(string type, string reason, string message, JsonObject crd) => new()
    {
        ["type"] = type,
        ["status"] = "True",
        ["lastTransitionTime"] = crd["metadata"]?["creationTimestamp"]?.DeepClone(),
        ["reason"] = reason,
        ["message"] = message,
    };

    private static List<string>? Strings(JsonNode? node) =>
        node is JsonArray array ? array.Select(JsonNodes.ToPlainString).ToList() : null;

    private static List<PrinterColumn>? PrinterColumns(JsonNode? node)
    {
        if (node is not JsonArray columns)
        {
            return null;
        }

        return columns.OfType<JsonObject>().Select(c => new PrinterColumn(
            JsonNodes.GetString(c, "name") ?? string.Empty,
            JsonNodes.GetString(c, "type") ?? "string",
            JsonNodes.GetString(c, "jsonPath") ?? string.Empty,
            JsonNodes.GetString(c, "description") ?? string.Empty,
            (int)(JsonNodes.GetInt64(c["priority"]) ?? 0),
            JsonNodes.GetString(c, "format") ?? string.Empty)).ToList();
    }
}
