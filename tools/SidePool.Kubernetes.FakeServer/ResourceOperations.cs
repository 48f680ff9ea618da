using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace SidePool.Kubernetes.FakeServer;

/// <summary>
/// API semantics over the <see cref="ObjectStore"/>: create/get/list/update/patch/delete with resourceVersion
/// concurrency, generation, status subresource, finalizers, managed fields and owner-reference propagation.
/// Public methods take the store lock; <c>…Locked</c> methods expect it held.
/// </summary>
internal sealed partial class ResourceOperations
{
    private const string NameCharacters = "bcdfghjklmnpqrstvwxz2456789";

    private readonly ObjectStore _store;
    private readonly ResourceRegistry _registry;
    private readonly TimeProvider _time;
    private readonly CustomResourceDefinitions _crds;

    public ResourceOperations(ObjectStore store, ResourceRegistry registry, TimeProvider time)
    {
        _store = store;
        _registry = registry;
        _time = time;
        _crds = new CustomResourceDefinitions(registry, store);
    }

    /// <summary>The mutating admission webhooks; null = no admission (only for the server's own bootstrap writes).</summary>
    public Admission.MutatingWebhookDispatcher? Admission { get; set; }

    /// <summary>RBAC and the ownerReferences permission check, when <see cref="FakeApiServerOptions.AuthorizeWithRbac"/> is on.</summary>
    public Authorization.RequestAuthorizer? Authorizer { get; set; }

    /// <summary>In-cluster API access (<see cref="FakeApiServerOptions.ServiceAccountTokens"/>); null: off.</summary>
    public ServiceAccountAccess? ServiceAccounts { get; set; }

    /// <summary>Graceful pod deletion (deletionTimestamp first, a kubelet removes the pod) is on when the kubelet simulation runs.</summary>
    public bool GracefulPodDeletion { get; set; }

    public TimeProvider Time => _time;

    /// <summary>Raised (outside no particular lock) when a deletion may have orphaned dependents.</summary>
    public event Action? DeletionHappened;

    public ObjectStore Store => _store;

    public ResourceRegistry Registry => _registry;

    public JsonObject Get(ResourceDefinition definition, string? @namespace, string name)
    {
        lock (_store.SyncRoot)
        {
            return Output(definition, _store.Get(definition, @namespace, name) ?? throw ApiException.NotFound(definition, name));
        }
    }

    public ListPage List(ResourceDefinition definition, string? @namespace, ListOptions options)
    {
        lock (_store.SyncRoot)
        {
            return ListLocked(definition, @namespace, options);
        }
    }

    /// <summary>Creates without admission (the server's own bootstrap objects, and the commit step after admission).</summary>
    public JsonObject Create(ResourceDefinition definition, string? @namespace, JsonObject body, WriteOptions options, bool recordManagedFields = true)
    {
        lock (_store.SyncRoot)
        {
            var obj = PrepareCreate(definition, @namespace, body);
            ApplySchema(definition, obj, options);
            if (recordManagedFields)
            {
                ManagedFields.RecordUpdate(null, obj, options.FieldManager, string.Empty, ScopeFor(definition, string.Empty), definition.ApiVersion, _time.GetUtcNow());
            }

            return Output(definition, CommitCreate(definition, obj, options.DryRun));
        }
    }

    internal static FieldPaths.Scope ScopeFor(ResourceDefinition definition, string subresource) =>
        subresource == "status" ? FieldPaths.Scope.Status
        : definition.HasStatusSubresource ? FieldPaths.Scope.MainResource
        : FieldPaths.Scope.All;

    private ListPage ListLocked(ResourceDefinition definition, string? @namespace, ListOptions options)
    {
        var listResourceVersion = _store.ResourceVersion;
        string? afterKey = null;
        if (options.Continue is { Length: > 0 } token)
        {
            (listResourceVersion, afterKey) = ContinueToken.Decode(token);
            if (listResourceVersion < _store.OldestWatchable)
            {
                throw ApiException.Expired("The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.");
            }
        }

        var items = _store.List(definition, @namespace, afterKey)
            .Where(kv => options.FieldSelector.Matches(kv.Value) && options.LabelSelector.Matches(JsonNodes.Labels(kv.Value)))
            .Select(kv => new JsonObjectItem(kv.Key, Output(definition, kv.Value)))
            .ToList();
        string? next = null;
        long? remaining = null;
        if (options.Limit > 0 && items.Count > options.Limit)
        {
            remaining = items.Count - options.Limit;
            items = items.Take(options.Limit).ToList();
            next = ContinueToken.Encode(listResourceVersion, items[^1].Key);
        }

        return new ListPage(items, listResourceVersion.ToString(CultureInfo.InvariantCulture), next, remaining);
    }

    private JsonObject PrepareCreate(ResourceDefinition definition, string? @namespace, JsonObject body)
    {
        var obj = body.DeepClone().AsObject();
        var metadata = JsonNodes.Metadata(obj);
        var bodyNamespace = JsonNodes.GetString(metadata, "namespace");
        if (definition.Namespaced)
        {
            if (@namespace is null)
            {
                throw ApiException.BadRequest("the server could not find the requested resource: a namespace is required");
            }

            if (!string.IsNullOrEmpty(bodyNamespace) && bodyNamespace != @namespace)
            {
                throw ApiException.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
            }

            var ns = _store.Get(_registry.Find(string.Empty, "v1", "namespaces")!, null, @namespace);
            if (ns is null)
            {
                throw new ApiException(404, "NotFound", $"namespaces \"{@namespace}\" not found", new JsonObject { ["name"] = @namespace, ["kind"] = "namespaces" });
            }

            if (ns["metadata"]?["deletionTimestamp"] is not null)
            {
                throw new ApiException(403, "Forbidden", $"{ApiException.QualifiedResource(definition)} \"{JsonNodes.GetString(metadata, "name")}\" is forbidden: unable to create new content in namespace {@namespace} because it is being terminated");
            }

            metadata["namespace"] = @namespace;
        }
        else
        {
            metadata.Remove("namespace");
        }

        var name = JsonNodes.GetString(metadata, "name");
        if (string.IsNullOrEmpty(name))
        {
            var generateName = JsonNodes.GetString(metadata, "generateName");
            if (string.IsNullOrEmpty(generateName))
            {
                throw ApiException.Invalid(definition, string.Empty, "metadata.name", "Required value: name or generateName is required");
            }

            do
            {
                name = generateName + string.Concat(Enumerable.Range(0, 5).Select(_ => NameCharacters[Random.Shared.Next(NameCharacters.Length)]));
            }
            while (_store.Get(definition, @namespace, name) is not null);
            metadata["name"] = name;
        }

        if (name.Length > 253 || !ValidName().IsMatch(name))
        {
            throw ApiException.Invalid(definition, name, "metadata.name", $"Invalid value: \"{name}\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character");
        }

        if (_store.Get(definition, @namespace, name) is not null)
        {
            throw ApiException.AlreadyExists(definition, name);
        }

        var kind = JsonNodes.GetString(obj, "kind");
        if (kind is not null && kind != definition.Kind)
        {
            throw ApiException.BadRequest($"the kind of the provided object ({kind}) does not match the resource ({definition.Kind})");
        }

        obj["apiVersion"] = definition.ApiVersion;
        obj["kind"] = definition.Kind;
        metadata["uid"] = Guid.NewGuid().ToString();
        metadata["creationTimestamp"] = JsonNodes.Timestamp(_time.GetUtcNow());
        metadata.Remove("deletionTimestamp");
        metadata.Remove("deletionGracePeriodSeconds");
        metadata.Remove("resourceVersion");
        if (definition.TracksGeneration)
        {
            metadata["generation"] = 1L;
        }
        else
        {
            metadata.Remove("generation");
        }

        if (definition.HasStatusSubresource)
        {
            obj.Remove("status");
        }

        BuiltInDefaults.Apply(definition, obj);

        if (BuiltInResources.IsNamespace(definition))
        {
            obj["status"] = new JsonObject { ["phase"] = "Active" };
        }
        else if (definition.Group.Length == 0 && definition.Plural == "pods")
        {
            obj["status"] = new JsonObject { ["phase"] = "Pending" };
        }

        return obj;
    }

    private JsonObject CommitCreate(ResourceDefinition definition, JsonObject obj, bool dryRun)
    {
        if (BuiltInResources.IsCustomResourceDefinition(definition))
        {
            _crds.Prepare(obj, dryRun);
        }

        if (dryRun)
        {
            return obj;
        }

        var stored = _store.Put(definition, obj, null);
        if (ServiceAccounts is { } accounts && BuiltInResources.IsNamespace(definition))
        {
            // the serviceaccounts controller and the root-ca-cert-publisher, at once instead of a moment later
            var name = JsonNodes.MetaString(stored, "name")!;
            foreach (var (plural, value) in accounts.NamespaceObjects(name))
            {
                var target = _registry.Find(string.Empty, "v1", plural)!;
                if (_store.Get(target, name, JsonNodes.MetaString(value, "name")!) is null)
                {
                    Create(target, name, value, new WriteOptions("kube-controller-manager", Force: false, DryRun: false));
                }
            }
        }

        return stored;
    }

    private JsonObject CommitUpdate(ResourceDefinition definition, JsonObject current, JsonObject proposed, string subresource, WriteOptions options, bool managedFieldsDone)
    {
        var name = JsonNodes.MetaString(current, "name")!;
        JsonObject result;
        if (subresource == "status")
        {
            result = current.DeepClone().AsObject();
            if (proposed["status"] is { } status)
            {
                result["status"] = status.DeepClone();
            }
            else
            {
                result.Remove("status");
            }

            if (managedFieldsDone && proposed["metadata"]?["managedFields"] is { } fields)
            {
                JsonNodes.Metadata(result)["managedFields"] = fields.DeepClone();
            }
        }
        else
        {
            result = proposed.DeepClone().AsObject();
            if (definition.HasStatusSubresource)
            {
                if (current["status"] is { } status)
                {
                    result["status"] = status.DeepClone();
                }
                else
                {
                    result.Remove("status");
                }
            }

            var metadata = JsonNodes.Metadata(result);
            var currentMetadata = JsonNodes.Metadata(current);
            foreach (var system in new[] { "name", "namespace", "uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation", "resourceVersion" })
            {
                if (currentMetadata[system] is { } value)
                {
                    metadata[system] = value.DeepClone();
                }
                else
                {
                    metadata.Remove(system);
                }
            }

            result["apiVersion"] = definition.ApiVersion;
            result["kind"] = definition.Kind;
            BuiltInDefaults.Apply(definition, result);
        }

        ApplySchema(definition, result, options);
        var deleting = current["metadata"]?["deletionTimestamp"] is not null;
        if (deleting)
        {
            var before = JsonNodes.Finalizers(current);
            var added = JsonNodes.Finalizers(result).Where(f => !before.Contains(f)).ToList();
            if (added.Count > 0)
            {
                throw ApiException.Invalid(definition, name, "metadata.finalizers", $"Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{{\"{string.Join("\", \"", added)}\"}}");
            }
        }

        if (definition.TracksGeneration && subresource != "status")
        {
            var excluded = definition.HasStatusSubresource ? new[] { "metadata", "status" } : ["metadata"];
            if (!JsonNode.DeepEquals(JsonNodes.Without(current, excluded), JsonNodes.Without(result, excluded)))
            {
                var generation = JsonNodes.GetInt64(current["metadata"]?["generation"]) ?? 0;
                JsonNodes.Metadata(result)["generation"] = generation + 1;
            }
        }

        if (!managedFieldsDone)
        {
            ManagedFields.RecordUpdate(current, result, options.FieldManager, subresource, ScopeFor(definition, subresource), definition.ApiVersion, _time.GetUtcNow());
        }

        if (JsonNode.DeepEquals(WithoutVolatile(current), WithoutVolatile(result)))
        {
            return current;
        }

        if (BuiltInResources.IsCustomResourceDefinition(definition) && subresource.Length == 0)
        {
            _crds.Prepare(result, options.DryRun);
        }

        if (options.DryRun)
        {
            return result;
        }

        if (deleting && JsonNodes.Finalizers(result).Count == 0 && !BuiltInResources.IsNamespace(definition))
        {
            var removed = RemoveLocked(definition, result);
            ThreadPool.QueueUserWorkItem(_ => DeletionHappened?.Invoke());
            return removed;
        }

        return _store.Put(definition, result, current);
    }

    private static void ApplySchema(ResourceDefinition definition, JsonObject obj, WriteOptions options)
    {
        if (definition.OpenApiSchema is { } schema)
        {
            StructuralSchema.PruneAndDefault(obj, schema, options.StrictFieldValidation, definition);
        }
    }

    private static JsonObject WithoutVolatile(JsonObject obj)
    {
        var copy = obj.DeepClone().AsObject();
        var metadata = JsonNodes.Metadata(copy);
        metadata.Remove("resourceVersion");
        if (metadata["managedFields"] is JsonArray fields)
        {
            foreach (var entry in fields.OfType<JsonObject>())
            {
                entry.Remove("time");
            }
        }

        return copy;
    }

    /// <summary>A copy for the response, with the requested version's apiVersion.</summary>
    private static JsonObject Output(ResourceDefinition definition, JsonObject obj)
    {
        var copy = obj.DeepClone().AsObject();
        copy["apiVersion"] = definition.ApiVersion;
        return copy;
    }

    private static JsonNode? ParsePatch(string body)
    {
        try
        {
            return JsonNode.Parse(body);
        }
        catch (System.Text.Json.JsonException ex)
        {
            throw ApiException.BadRequest($"error decoding patch: {ex.Message}");
        }
    }

    [GeneratedRegex("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")]
    private static partial Regex ValidName();
}
