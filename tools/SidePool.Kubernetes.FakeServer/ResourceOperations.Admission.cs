using System.Text.Json.Nodes;
using SidePool.Kubernetes.FakeServer.Admission;

namespace SidePool.Kubernetes.FakeServer;

/// <summary>
/// Writes through the admission chain, in the apiserver's order: the request is decoded and defaulted (and, for a create,
/// the namespace must exist), mutating webhooks run without the store lock held, then the result is committed. An update
/// whose object changed meanwhile is re-run from the start (the apiserver's GuaranteedUpdate retry) unless the request
/// named a resourceVersion, which is then a 409 Conflict.
/// </summary>
internal sealed partial class ResourceOperations
{
    private const int MaxUpdateAttempts = 20;

    public async Task<JsonObject> CreateAsync(ResourceDefinition definition, string? @namespace, JsonObject body, WriteOptions options, RequestContext request, CancellationToken cancellationToken)
    {
        JsonObject candidate;
        lock (_store.SyncRoot)
        {
            candidate = NormalizeLocked(definition, @namespace, body, options, creating: true);
        }

        var admitted = await AdmitAsync(definition, string.Empty, "CREATE", @namespace, JsonNodes.MetaString(candidate, "name"), candidate, null, options, "CreateOptions", request, cancellationToken);
        return Create(definition, @namespace, admitted, options with { StrictFieldValidation = false });
    }

    public async Task<JsonObject> UpdateAsync(ResourceDefinition definition, string? @namespace, string name, string subresource, JsonObject body, WriteOptions options, RequestContext request, CancellationToken cancellationToken)
    {
        var bodyVersion = JsonNodes.MetaString(body, "resourceVersion");
        for (var attempt = 1; ; attempt++)
        {
            JsonObject current;
            JsonObject candidate;
            lock (_store.SyncRoot)
            {
                current = _store.Get(definition, @namespace, name) ?? throw ApiException.NotFound(definition, name);
                var bodyName = JsonNodes.MetaString(body, "name");
                if (bodyName is not null && bodyName != name)
                {
                    throw ApiException.BadRequest($"the name of the object ({bodyName}) does not match the name on the URL ({name})");
                }

                if (string.IsNullOrEmpty(bodyVersion))
                {
                    if (definition.IsCustomResource)
                    {
                        throw ApiException.Invalid(definition, name, "metadata.resourceVersion", "Invalid value: 0x0: must be specified for an update");
                    }
                }
                else if (bodyVersion != JsonNodes.MetaString(current, "resourceVersion"))
                {
                    throw ApiException.StaleResourceVersion(definition, name);
                }

                candidate = NormalizeLocked(definition, @namespace, body, options, creating: false);
            }

            var admitted = await AdmitAsync(definition, subresource, "UPDATE", @namespace, name, candidate, current, options, "UpdateOptions", request, cancellationToken);
            lock (_store.SyncRoot)
            {
                var latest = _store.Get(definition, @namespace, name) ?? throw ApiException.NotFound(definition, name);
                if (!SameVersion(latest, current))
                {
                    if (!string.IsNullOrEmpty(bodyVersion) || attempt >= MaxUpdateAttempts)
                    {
                        throw ApiException.StaleResourceVersion(definition, name);
                    }

                    continue;
                }

                return Output(definition, CommitUpdate(definition, latest, admitted, subresource, options with { StrictFieldValidation = false }, managedFieldsDone: false));
            }
        }
    }

    public async Task<(JsonObject Object, bool Created)> PatchAsync(ResourceDefinition definition, string? @namespace, string name, string subresource, string contentType, string body, WriteOptions options, RequestContext request, CancellationToken cancellationToken)
    {
        var mediaType = contentType.Split(';')[0].Trim().ToLowerInvariant();
        var isApply = mediaType == "application/apply-patch+yaml";
        if (isApply && string.IsNullOrEmpty(options.FieldManager))
        {
            throw new ApiException(422, "Invalid", "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch");
        }

        for (var attempt = 1; ; attempt++)
        {
            JsonObject? current;
            JsonObject candidate;
            bool carriesVersion;
            lock (_store.SyncRoot)
            {
                current = _store.Get(definition, @namespace, name);
                if (current is null && !isApply)
                {
                    throw ApiException.NotFound(definition, name);
                }

                (candidate, carriesVersion) = isApply
                    ? ComputeApplyLocked(definition, @namespace, name, subresource, body, options, current)
                    : (ComputePatchLocked(definition, current!, name, mediaType, body), false);
                candidate = NormalizeLocked(definition, @namespace, candidate, options, creating: current is null);
            }

            if (current is null)
            {
                var created = await AdmitAsync(definition, string.Empty, "CREATE", @namespace, name, candidate, null, options, "CreateOptions", request, cancellationToken);
                return (Create(definition, @namespace, created, options with { StrictFieldValidation = false }, recordManagedFields: false), true);
            }

            var admitted = await AdmitAsync(definition, subresource, "UPDATE", @namespace, name, candidate, current, options, "UpdateOptions", request, cancellationToken);
            lock (_store.SyncRoot)
            {
                var latest = _store.Get(definition, @namespace, name) ?? throw ApiException.NotFound(definition, name);
                if (!SameVersion(latest, current))
                {
                    if (carriesVersion || attempt >= MaxUpdateAttempts)
                    {
                        throw ApiException.StaleResourceVersion(definition, name);
                    }

                    continue;
                }

                return (Output(definition, CommitUpdate(definition, latest, admitted, subresource, options with { StrictFieldValidation = false }, managedFieldsDone: isApply)), false);
            }
        }
    }

    public async Task<JsonObject> UpdateScaleAsync(ResourceDefinition definition, string? @namespace, string name, Func<JsonObject, JsonObject> proposeScale, WriteOptions options, RequestContext request, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            JsonObject current;
            JsonObject scale;
            JsonObject old;
            lock (_store.SyncRoot)
            {
                current = _store.Get(definition, @namespace, name) ?? throw ApiException.NotFound(definition, name);
                old = definition.Scale!.ToScale(current);
                scale = proposeScale(old.DeepClone().AsObject());
                var rv = JsonNodes.MetaString(scale, "resourceVersion");
                if (!string.IsNullOrEmpty(rv) && rv != JsonNodes.MetaString(current, "resourceVersion"))
                {
                    throw ApiException.StaleResourceVersion(definition, name);
                }

                scale = scale.DeepClone().AsObject();
                scale["apiVersion"] = "autoscaling/v1";
                scale["kind"] = "Scale";
            }

            var admitted = Admission is null
                ? scale
                : await Admission.AdmitAsync(ScaleAttributes(definition, @namespace, name, scale, old, options, request), request, cancellationToken);
            lock (_store.SyncRoot)
            {
                var latest = _store.Get(definition, @namespace, name) ?? throw ApiException.NotFound(definition, name);
                if (!SameVersion(latest, current))
                {
                    if (!string.IsNullOrEmpty(JsonNodes.MetaString(scale, "resourceVersion")) || attempt >= MaxUpdateAttempts)
                    {
                        throw ApiException.StaleResourceVersion(definition, name);
                    }

                    continue;
                }

                admitted = admitted.DeepClone().AsObject();
                JsonNodes.Metadata(admitted).Remove("resourceVersion");
                return UpdateScaleLocked(definition, latest, admitted, options);
            }
        }
    }

    private static bool SameVersion(JsonObject a, JsonObject b) =>
        JsonNodes.MetaString(a, "resourceVersion") == JsonNodes.MetaString(b, "resourceVersion");

    private AdmissionAttributes ScaleAttributes(ResourceDefinition definition, string? @namespace, string name, JsonObject scale, JsonObject old, WriteOptions options, RequestContext request) => new()
    {
        Definition = definition,
        Subresource = "scale",
        Operation = "UPDATE",
        Namespace = @namespace,
        Name = name,
        Object = scale,
        OldObject = old,
        DryRun = options.DryRun,
        Options = OptionsObject("UpdateOptions", options),
        ObjectKind = new GroupVersionKindName("autoscaling", "v1", "Scale"),
    };

    private async Task<JsonObject> AdmitAsync(ResourceDefinition definition, string subresource, string operation, string? @namespace, string? name, JsonObject candidate, JsonObject? old, WriteOptions options, string optionsKind, RequestContext request, CancellationToken cancellationToken)
    {
        var mutated = await MutateAsync(definition, subresource, @namespace, name, candidate, old, options, optionsKind, operation, request, cancellationToken);

        // validating admission: OwnerReferencesPermissionEnforcement, on what the mutating webhooks left
        if (Authorizer is { } authorizer && request.ViaApi)
        {
            authorizer.CheckOwnerReferences(definition, subresource, @namespace, name ?? JsonNodes.MetaString(mutated, "name"), mutated, old, request);
        }

        return mutated;
    }

    private Task<JsonObject> MutateAsync(ResourceDefinition definition, string subresource, string? @namespace, string? name, JsonObject candidate, JsonObject? old, WriteOptions options, string optionsKind, string operation, RequestContext request, CancellationToken cancellationToken)
    {
        if (ServiceAccounts is not null && operation == "CREATE" && subresource.Length == 0 && definition.Group.Length == 0 && definition.Plural == "pods")
        {
            // the ServiceAccount admission plugin runs before the mutating webhooks
            var accounts = _registry.Find(string.Empty, "v1", "serviceaccounts")!;
            var ns = @namespace ?? "default";
            candidate = ServiceAccountAccess.AdmitPod(candidate, ns, account =>
            {
                lock (_store.SyncRoot)
                {
                    return _store.Get(accounts, ns, account);
                }
            });
        }

        if (Admission is null)
        {
            return Task.FromResult(candidate);
        }

        var pruning = options with { StrictFieldValidation = false };
        return Admission.AdmitAsync(
            new AdmissionAttributes
            {
                Definition = definition,
                Subresource = subresource,
                Operation = operation,
                Namespace = definition.Namespaced ? @namespace : null,
                Name = name,
                Object = candidate,
                OldObject = old is null ? null : Output(definition, old),
                DryRun = options.DryRun,
                Options = OptionsObject(optionsKind, options),
                Default = obj =>
                {
                    BuiltInDefaults.Apply(definition, obj);
                    ApplySchema(definition, obj, pruning);
                },
            },
            request,
            cancellationToken);
    }

    private static JsonObject OptionsObject(string kind, WriteOptions options)
    {
        var result = new JsonObject { ["kind"] = kind, ["apiVersion"] = "meta.k8s.io/v1" };
        if (options.DryRun)
        {
            result["dryRun"] = new JsonArray("All");
        }

        if (!string.IsNullOrEmpty(options.FieldManagerParameter))
        {
            result["fieldManager"] = options.FieldManagerParameter;
        }

        if (options.StrictFieldValidation)
        {
            result["fieldValidation"] = "Strict";
        }

        return result;
    }

    /// <summary>
    /// What the apiserver's handler and decoder do before admission: kind check, namespace from the URL (and, on create, the
    /// NamespaceLifecycle checks), apiVersion/kind, built-in defaults, and CRD pruning/defaulting (strict field validation here).
    /// </summary>
    private JsonObject NormalizeLocked(ResourceDefinition definition, string? @namespace, JsonObject body, WriteOptions options, bool creating)
    {
        var obj = body.DeepClone().AsObject();
        var kind = JsonNodes.GetString(obj, "kind");
        if (kind is not null && kind != definition.Kind)
        {
            throw ApiException.BadRequest($"the kind of the provided object ({kind}) does not match the resource ({definition.Kind})");
        }

        var metadata = JsonNodes.Metadata(obj);
        if (definition.Namespaced)
        {
            var bodyNamespace = JsonNodes.GetString(metadata, "namespace");
            if (@namespace is null)
            {
                throw ApiException.BadRequest("the server could not find the requested resource: a namespace is required");
            }

            if (!string.IsNullOrEmpty(bodyNamespace) && bodyNamespace != @namespace)
            {
                throw ApiException.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
            }

            if (creating)
            {
                CheckNamespaceAcceptsCreatesLocked(definition, @namespace, JsonNodes.GetString(metadata, "name") ?? string.Empty);
            }

            metadata["namespace"] = @namespace;
        }
        else
        {
            metadata.Remove("namespace");
        }

        obj["apiVersion"] = definition.ApiVersion;
        obj["kind"] = definition.Kind;
        JsonNodes.Canonicalize(obj);
        BuiltInDefaults.Apply(definition, obj);
        ApplySchema(definition, obj, options);
        return obj;
    }

    private void CheckNamespaceAcceptsCreatesLocked(ResourceDefinition definition, string @namespace, string name)
    {
        var ns = _store.Get(_registry.Find(string.Empty, "v1", "namespaces")!, null, @namespace);
        if (ns is null)
        {
            throw new ApiException(404, "NotFound", $"namespaces \"{@namespace}\" not found", new JsonObject { ["name"] = @namespace, ["kind"] = "namespaces" });
        }

        if (ns["metadata"]?["deletionTimestamp"] is not null)
        {
            throw new ApiException(403, "Forbidden", $"{ApiException.QualifiedResource(definition)} \"{name}\" is forbidden: unable to create new content in namespace {@namespace} because it is being terminated");
        }
    }

    /// <summary>A merge, JSON or strategic merge patch applied to the current object (a stale resourceVersion in the patch is 409).</summary>
    private static JsonObject ComputePatchLocked(ResourceDefinition definition, JsonObject current, string name, string mediaType, string body)
    {
        JsonNode patched = mediaType switch
        {
            "application/merge-patch+json" => MergePatch.Apply(current, ParsePatch(body))!,
            "application/json-patch+json" => JsonPatch.Apply(current, ParsePatch(body)),
            "application/strategic-merge-patch+json" when !definition.IsCustomResource =>
                StrategicMergePatch.Apply(current, ParsePatch(body) as JsonObject ?? throw ApiException.BadRequest("a strategic merge patch must be a JSON object")),
            _ => throw ApiException.UnsupportedMediaType(
                $"the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml{(definition.IsCustomResource ? string.Empty : ", application/strategic-merge-patch+json")}"),
        };
        if (patched is not JsonObject patchedObject)
        {
            throw ApiException.BadRequest("the patched object is not a JSON object");
        }

        var rv = JsonNodes.MetaString(patchedObject, "resourceVersion");
        if (!string.IsNullOrEmpty(rv) && rv != JsonNodes.MetaString(current, "resourceVersion"))
        {
            throw ApiException.StaleResourceVersion(definition, name);
        }

        return patchedObject;
    }

    /// <summary>Server-side apply: the merged object (with managed fields) and whether the applied body named a resourceVersion.</summary>
    private (JsonObject Object, bool CarriesVersion) ComputeApplyLocked(ResourceDefinition definition, string? @namespace, string name, string subresource, string body, WriteOptions options, JsonObject? current)
    {
        var applied = YamlToJson.ParseObject(body);
        var appliedName = JsonNodes.MetaString(applied, "name");
        if (appliedName is not null && appliedName != name)
        {
            throw ApiException.BadRequest($"the name of the object ({appliedName}) does not match the name on the URL ({name})");
        }

        var scope = ScopeFor(definition, subresource);
        var now = _time.GetUtcNow();
        if (current is null)
        {
            if (subresource.Length > 0)
            {
                throw ApiException.NotFound(definition, name);
            }

            var merged = ServerSideApply.Apply(null, applied, options.FieldManager, options.Force, subresource, scope, definition.ApiVersion, definition, name, now);
            JsonNodes.Metadata(merged)["name"] = name;
            if (definition.Namespaced && @namespace is not null)
            {
                JsonNodes.Metadata(merged)["namespace"] = @namespace;
            }

            return (merged, false);
        }

        var rv = JsonNodes.MetaString(applied, "resourceVersion");
        if (!string.IsNullOrEmpty(rv) && rv != JsonNodes.MetaString(current, "resourceVersion"))
        {
            throw ApiException.StaleResourceVersion(definition, name);
        }

        return (ServerSideApply.Apply(current, applied, options.FieldManager, options.Force, subresource, scope, definition.ApiVersion, definition, name, now), !string.IsNullOrEmpty(rv));
    }
}
