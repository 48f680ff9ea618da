using System.Text.Json.Nodes;

namespace SidePool.Kubernetes.FakeServer.Authorization;

/// <summary>
/// RBAC as kube-apiserver evaluates it (<c>plugin/pkg/auth/authorizer/rbac</c>), over the Roles, ClusterRoles,
/// RoleBindings and ClusterRoleBindings stored in this server: a request is allowed when some binding whose subjects
/// include the user (by name, group or service account) refers to a role with a rule that covers it. ClusterRoleBindings
/// apply everywhere; RoleBindings (to a Role of their namespace or to a ClusterRole) only in their namespace. A rule covers a
/// request when its verbs, apiGroups and resources (<c>plural</c>, <c>plural/subresource</c>, <c>*</c>, <c>*/sub</c>) match
/// and, if it lists resourceNames, the request names one of them (so a create, or a list without a name, is not covered).
/// Aggregated ClusterRoles are read as stored (no aggregation controller). Deny is the default; there are no deny rules.
/// </summary>
internal sealed class RbacAuthorizer(ObjectStore store, ResourceRegistry registry)
{
    public bool Allows(AuthorizationAttributes request)
    {
        lock (store.SyncRoot)
        {
            foreach (var binding in Objects("clusterrolebindings", null))
            {
                if (Binds(binding, request) && RoleRules(binding, null).Any(rule => Covers(rule, request)))
                {
                    return true;
                }
            }

            if (request.Namespace is { } ns)
            {
                foreach (var binding in Objects("rolebindings", ns))
                {
                    if (Binds(binding, request) && RoleRules(binding, ns).Any(rule => Covers(rule, request)))
                    {
                        return true;
                    }
                }
            }
        }

        return false;
    }

    private IEnumerable<JsonObject> Objects(string plural, string? @namespace) =>
        registry.Find("rbac.authorization.k8s.io", "v1", plural) is { } definition
            ? store.List(definition, @namespace).Select(kv => kv.Value)
            : [];

    private static bool Binds(JsonObject binding, AuthorizationAttributes request) =>
        (binding["subjects"] as JsonArray ?? []).OfType<JsonObject>().Any(subject => (Text(subject, "kind"), Text(subject, "name")) switch
        {
            ("User", var name) => name == request.User,
            ("Group", var name) => request.Groups.Contains(name),
            ("ServiceAccount", var name) => request.User == $"system:serviceaccount:{Text(subject, "namespace") ?? JsonNodes.MetaString(binding, "namespace")}:{name}",
            _ => false,
        });

    private IEnumerable<JsonObject> RoleRules(JsonObject binding, string? bindingNamespace)
    {
        var roleRef = binding["roleRef"] as JsonObject;
        var (kind, name) = (Text(roleRef, "kind"), Text(roleRef, "name"));
        if (name is null)
        {
            return [];
        }

        var role = kind switch
        {
            "ClusterRole" => Objects("clusterroles", null).FirstOrDefault(r => JsonNodes.MetaString(r, "name") == name),
            "Role" when bindingNamespace is not null => Objects("roles", bindingNamespace).FirstOrDefault(r => JsonNodes.MetaString(r, "name") == name),
            _ => null,
        };
        return (role?["rules"] as JsonArray ?? []).OfType<JsonObject>();
    }

    private static bool Covers(JsonObject rule, AuthorizationAttributes request)
    {
        var verbs = Strings(rule, "verbs");
        var groups = Strings(rule, "apiGroups");
        var resources = Strings(rule, "resources");
        var names = Strings(rule, "resourceNames");
        return (verbs.Contains("*") || verbs.Contains(request.Verb))
            && (groups.Contains("*") || groups.Contains(request.ApiGroup))
            && (resources.Contains("*") || resources.Contains(request.RuleResource)
                || (request.Subresource.Length > 0 && resources.Contains("*/" + request.Subresource)))
            && (names.Count == 0 || (request.Name is { } n && names.Contains(n)));
    }

    private static List<string> Strings(JsonObject node, string property) =>
        (node[property] as JsonArray ?? []).Select(v => v?.GetValue<string>() ?? string.Empty).ToList();

    private static string? Text(JsonObject? node, string property) => node?[property]?.GetValue<string>();
}
