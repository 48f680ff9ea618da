using System.Text.Json.Nodes;

namespace SidePool.Kubernetes.FakeServer.Admission;

/// <summary>
/// Whether a request is for a webhook, as the apiserver decides: <c>rules</c> (operations, apiGroups, apiVersions,
/// resources with <c>*</c>, <c>x/*</c>, <c>*/x</c>, scope), <c>matchPolicy: Equivalent</c> (another served version of the same
/// resource), <c>namespaceSelector</c> and <c>objectSelector</c>. Match conditions are the dispatcher's business.
/// </summary>
internal static class WebhookMatcher
{
    /// <summary>The resource version the webhook is called with, or null when no rule matches.</summary>
    public static ResourceDefinition? MatchRules(MutatingWebhookSpec hook, AdmissionAttributes attributes, IEnumerable<ResourceDefinition> equivalents)
    {
        if (hook.Rules.Any(rule => RuleMatches(rule, attributes, attributes.Definition)))
        {
            return attributes.Definition;
        }

        if (hook.MatchPolicy != "Equivalent")
        {
            return null;
        }

        foreach (var rule in hook.Rules)
        {
            foreach (var equivalent in equivalents)
            {
                if (RuleMatches(rule, attributes, equivalent))
                {
                    return equivalent;
                }
            }
        }

        return null;
    }

    /// <summary>
    /// <c>namespaceSelector</c>: cluster-scoped objects other than namespaces always match; a Namespace is matched on its own
    /// labels; anything else on the labels of its Namespace object (a namespace that does not exist has no labels).
    /// </summary>
    public static bool MatchNamespace(MutatingWebhookSpec hook, AdmissionAttributes attributes, IReadOnlyDictionary<string, string>? namespaceLabels)
    {
        if (JsonLabelSelector.IsEmpty(hook.NamespaceSelector))
        {
            return true;
        }

        if (BuiltInResources.IsNamespace(attributes.Definition))
        {
            return JsonLabelSelector.Matches(hook.NamespaceSelector, JsonNodes.Labels(attributes.Object));
        }

        if (!attributes.Definition.Namespaced)
        {
            return true;
        }

        return JsonLabelSelector.Matches(hook.NamespaceSelector, namespaceLabels ?? new Dictionary<string, string>());
    }

    /// <summary><c>objectSelector</c>: the object's or the old object's labels.</summary>
    public static bool MatchObject(MutatingWebhookSpec hook, JsonObject current, JsonObject? old) =>
        JsonLabelSelector.IsEmpty(hook.ObjectSelector)
        || JsonLabelSelector.Matches(hook.ObjectSelector, JsonNodes.Labels(current))
        || (old is not null && JsonLabelSelector.Matches(hook.ObjectSelector, JsonNodes.Labels(old)));

    private static bool RuleMatches(JsonObject rule, AdmissionAttributes attributes, ResourceDefinition definition)
    {
        return Contains(rule["operations"], attributes.Operation)
            && Contains(rule["apiGroups"], definition.Group)
            && Contains(rule["apiVersions"], definition.Version)
            && ResourceMatches(rule["resources"], definition.Plural, attributes.Subresource)
            && ScopeMatches(JsonNodes.GetString(rule, "scope") ?? "*", definition);
    }

    private static bool Contains(JsonNode? list, string value) =>
        list is JsonArray array && array.Select(JsonNodes.ToPlainString).Any(v => v == "*" || v == value);

    private static bool ResourceMatches(JsonNode? list, string resource, string subresource)
    {
        if (list is not JsonArray array)
        {
            return false;
        }

        foreach (var entry in array.Select(JsonNodes.ToPlainString))
        {
            var slash = entry.IndexOf('/', StringComparison.Ordinal);
            var (ruleResource, ruleSubresource) = slash < 0 ? (entry, string.Empty) : (entry[..slash], entry[(slash + 1)..]);
            if ((ruleResource == "*" || ruleResource == resource) && (ruleSubresource == "*" || ruleSubresource == subresource))
            {
                return true;
            }
        }

        return false;
    }

    private static bool ScopeMatches(string scope, ResourceDefinition definition) => scope switch
    {
        "Namespaced" => definition.Namespaced,
        "Cluster" => !definition.Namespaced,
        _ => true,
    };
}
