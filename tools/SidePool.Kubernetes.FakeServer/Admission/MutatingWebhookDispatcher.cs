using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

namespace SidePool.Kubernetes.FakeServer.Admission;

/// <summary>
/// The MutatingAdmissionWebhook plugin: calls the webhooks of every stored <c>MutatingWebhookConfiguration</c> (ordered by
/// configuration name, then position) that match a write, applies their JSON patches in turn, re-invokes
/// <c>reinvocationPolicy: IfNeeded</c> webhooks once when a later webhook changed the object, and turns failures into the
/// apiserver's errors (per <c>failurePolicy</c> for call failures). Writes to webhook configurations themselves are exempt.
/// </summary>
internal sealed partial class MutatingWebhookDispatcher
{
    private const string AdmissionGroup = "admissionregistration.k8s.io";
    private readonly ObjectStore _store;
    private readonly ResourceRegistry _registry;
    private readonly WebhookTransport _transport;
    private readonly ILogger _logger;

    public MutatingWebhookDispatcher(ObjectStore store, ResourceRegistry registry, WebhookTransport transport, ILogger logger)
    {
        _store = store;
        _registry = registry;
        _transport = transport;
        _logger = logger;
    }

    /// <summary>Returns the admitted object (possibly patched) or throws the <see cref="ApiException"/> the apiserver would answer.</summary>
    public async Task<JsonObject> AdmitAsync(AdmissionAttributes attributes, RequestContext request, CancellationToken cancellationToken)
    {
        if (attributes.Definition.Group == AdmissionGroup)
        {
            return attributes.Object;
        }

        var (hooks, namespaceLabels) = Snapshot(attributes);
        if (hooks.Count == 0)
        {
            return attributes.Object;
        }

        var equivalents = _registry.All().Where(d => d.StorageKey == attributes.Definition.StorageKey && d != attributes.Definition).ToList();
        var current = attributes.Object.DeepClone().AsObject();
        var previouslyInvoked = new HashSet<string>(StringComparer.Ordinal);
        var reinvoke = new HashSet<string>(StringComparer.Ordinal);
        var changed = false;
        for (var round = 0; round < 2 && (round == 0 || changed); round++)
        {
            foreach (var hook in hooks)
            {
                if (round == 1 && !reinvoke.Contains(hook.Uid))
                {
                    continue;
                }

                var state = attributes with { Object = current };
                var invocation = ShouldCall(hook, state, namespaceLabels, equivalents, request);
                if (invocation is null)
                {
                    continue;
                }

                JsonObject? patched = null;
                try
                {
                    patched = await CallAsync(hook, invocation, state, request, cancellationToken);
                }
                catch (WebhookCallException failure) when (hook.IgnoresFailures)
                {
                    LogFailingOpen(hook.Name, failure.Message);
                }
                catch (WebhookCallException failure)
                {
                    LogFailingClosed(hook.Name, failure.Message);
                    throw InternalError(failure.Message);
                }

                if (patched is not null && !JsonNode.DeepEquals(patched, current))
                {
                    current = patched;
                    reinvoke.UnionWith(previouslyInvoked);
                    changed = true;
                }

                if (hook.ReinvocationPolicy == "IfNeeded")
                {
                    previouslyInvoked.Add(hook.Uid);
                }
            }
        }

        return current;
    }

    private (List<MutatingWebhookSpec> Hooks, IReadOnlyDictionary<string, string>? NamespaceLabels) Snapshot(AdmissionAttributes attributes)
    {
        var configurations = _registry.Find(AdmissionGroup, "v1", "mutatingwebhookconfigurations");
        var namespaces = _registry.Find(string.Empty, "v1", "namespaces");
        lock (_store.SyncRoot)
        {
            var hooks = configurations is null
                ? []
                : _store.List(configurations, null)
                    .Select(kv => kv.Value.DeepClone().AsObject())
                    .OrderBy(c => JsonNodes.MetaString(c, "name"), StringComparer.Ordinal)
                    .SelectMany(MutatingWebhookSpec.Read)
                    .ToList();
            IReadOnlyDictionary<string, string>? labels = null;
            if (hooks.Count > 0 && attributes.Namespace is { } ns && namespaces is not null)
            {
                labels = _store.Get(namespaces, null, ns) is { } namespaceObject ? JsonNodes.Labels(namespaceObject) : new Dictionary<string, string>();
            }

            return (hooks, labels);
        }
    }

    /// <summary>Selectors, then rules, then match conditions, in the apiserver's order. Null = not called.</summary>
    private Invocation? ShouldCall(MutatingWebhookSpec hook, AdmissionAttributes attributes, IReadOnlyDictionary<string, string>? namespaceLabels, List<ResourceDefinition> equivalents, RequestContext request)
    {
        if (!WebhookMatcher.MatchNamespace(hook, attributes, namespaceLabels) || !WebhookMatcher.MatchObject(hook, attributes.Object, attributes.OldObject))
        {
            return null;
        }

        var definition = WebhookMatcher.MatchRules(hook, attributes, equivalents);
        if (definition is null)
        {
            return null;
        }

        var invocation = new Invocation(definition, AdmissionReviews.Request(Guid.NewGuid().ToString(), definition, attributes, request));
        return MatchConditionsAllow(hook, attributes, invocation) ? invocation : null;
    }

    /// <summary>Any false condition skips the webhook; errors (none false) fail the request under Fail and skip it under Ignore.</summary>
    private bool MatchConditionsAllow(MutatingWebhookSpec hook, AdmissionAttributes attributes, Invocation invocation)
    {
        if (hook.MatchConditions.Count == 0)
        {
            return true;
        }

        var variables = new Dictionary<string, JsonNode?>(StringComparer.Ordinal)
        {
            ["object"] = invocation.Request["object"]?.DeepClone(),
            ["oldObject"] = invocation.Request["oldObject"]?.DeepClone(),
            ["request"] = JsonNodes.Without(invocation.Request, "object", "oldObject"),
        };
        var errors = new List<string>();
        foreach (var (name, expression) in hook.MatchConditions)
        {
            try
            {
                if (!CelSubsetExpression.Parse(expression).Evaluate(variables))
                {
                    return false;
                }
            }
            catch (CelEvaluationException error)
            {
                errors.Add($"expression '{expression}' resulted in error: {error.Message}");
            }
            catch (CelUnsupportedException unsupported)
            {
                LogUnsupportedCondition(hook.Name, name, unsupported.Message);
                errors.Add($"expression '{expression}' is outside the CEL subset of the fake API server: {unsupported.Message}");
            }
        }

        if (errors.Count == 0)
        {
            return true;
        }

        if (hook.IgnoresFailures)
        {
            LogFailingOpen(hook.Name, string.Join("; ", errors));
            return false;
        }

        var aggregate = errors.Count == 1 ? errors[0] : "[" + string.Join(", ", errors) + "]";
        LogFailingClosed(hook.Name, aggregate);
        var resource = ApiException.QualifiedResource(attributes.Definition);
        var message = string.IsNullOrEmpty(attributes.Name) ? $"{resource} is forbidden: {aggregate}" : $"{resource} \"{attributes.Name}\" is forbidden: {aggregate}";
        var details = new JsonObject { ["name"] = attributes.Name ?? string.Empty };
        if (attributes.Definition.Group.Length > 0)
        {
            details["group"] = attributes.Definition.Group;
        }

        details["kind"] = attributes.Definition.Plural;
        throw new ApiException(403, "Forbidden", message, details);
    }

    private async Task<JsonObject?> CallAsync(MutatingWebhookSpec hook, Invocation invocation, AdmissionAttributes attributes, RequestContext request, CancellationToken cancellationToken)
    {
        if (attributes.DryRun)
        {
            if (hook.SideEffects is null)
            {
                throw new WebhookCallException(hook.Name, "Webhook SideEffects is nil");
            }

            if (hook.SideEffects is not ("None" or "NoneOnDryRun"))
            {
                throw ApiException.BadRequest($"admission webhook \"{hook.Name}\" does not support dry run");
            }
        }

        var version = hook.AdmissionReviewVersions.FirstOrDefault(v => v is "v1" or "v1beta1")
            ?? throw new WebhookCallException(hook.Name, "could not create admission objects: webhook does not accept known AdmissionReview versions (v1, v1beta1)");
        var uid = JsonNodes.GetString(invocation.Request, "uid")!;
        var review = new JsonObject
        {
            ["kind"] = "AdmissionReview",
            ["apiVersion"] = "admission.k8s.io/" + version,
            ["request"] = invocation.Request.DeepClone(),
        };
        var answer = await _transport.PostAsync(hook, review, cancellationToken);
        var response = AdmissionReviews.VerifyResponse(hook.Name, version, uid, answer);
        foreach (var warning in (response["warnings"] as JsonArray)?.Select(JsonNodes.ToPlainString) ?? [])
        {
            request.Warnings.Add(warning);
        }

        if (response["allowed"] is not JsonValue allowed || allowed.GetValueKind() != JsonValueKind.True)
        {
            throw AdmissionReviews.Rejection(hook.Name, attributes, response["status"] as JsonObject);
        }

        if (JsonNodes.GetString(response, "patch") is not { Length: > 0 } encodedPatch)
        {
            return null;
        }

        JsonNode? operations;
        try
        {
            operations = JsonNode.Parse(Convert.FromBase64String(encodedPatch));
        }
        catch (FormatException error)
        {
            throw new WebhookCallException(hook.Name, $"failed to call webhook: {error.Message}");
        }
        catch (JsonException error)
        {
            throw new WebhookCallException(hook.Name, $"received undecodable patch in webhook response: {error.Message}");
        }

        if (operations is not JsonArray list)
        {
            throw new WebhookCallException(hook.Name, "received undecodable patch in webhook response: json: cannot unmarshal object into Go value of type jsonpatch.Patch");
        }

        if (list.Count == 0)
        {
            return null;
        }

        var sent = invocation.Request["object"]!.AsObject();
        JsonObject patched;
        try
        {
            patched = JsonPatch.Apply(sent, list) as JsonObject ?? throw InternalError("the patched object is not a JSON object");
        }
        catch (ApiException error) when (error.Code == 422 || error.Code == 400)
        {
            throw InternalError(error.InnerException?.Message ?? error.Message);
        }

        patched["apiVersion"] = attributes.Object["apiVersion"]?.DeepClone();
        attributes.Default?.Invoke(patched);
        return patched;
    }

    private static ApiException InternalError(string message) => new(
        500,
        "InternalError",
        "Internal error occurred: " + message,
        new JsonObject { ["causes"] = new JsonArray(new JsonObject { ["message"] = message }) });

    [LoggerMessage(Level = LogLevel.Warning, Message = "Failed calling webhook, failing open {Webhook}: {Error}")]
    private partial void LogFailingOpen(string webhook, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Failed calling webhook, failing closed {Webhook}: {Error}")]
    private partial void LogFailingClosed(string webhook, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Match condition {Condition} of webhook {Webhook} cannot be evaluated by the fake API server (treated per failurePolicy): {Error}")]
    private partial void LogUnsupportedCondition(string webhook, string condition, string error);

    /// <summary>The resource version a webhook is called with and the AdmissionRequest built for it.</summary>
    private sealed record Invocation(ResourceDefinition Definition, JsonObject Request);
}
