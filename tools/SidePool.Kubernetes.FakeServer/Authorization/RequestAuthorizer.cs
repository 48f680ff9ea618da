using System.Text.Json.Nodes;

namespace SidePool.Kubernetes.FakeServer.Authorization;

/// <summary>
/// Authorization of API requests when <see cref="FakeApiServerOptions.AuthorizeWithRbac"/> is on: members of
/// <c>system:masters</c> (and of <c>kubeadm:cluster-admins</c>, which kubeadm binds to <c>cluster-admin</c>) may do
/// anything, as in a real cluster; every other user only what <see cref="RbacAuthorizer"/> allows. Also the
/// <c>OwnerReferencesPermissionEnforcement</c> admission plugin (<c>plugin/pkg/admission/gc</c>), which every production
/// cluster enables: changing an object's ownerReferences needs <c>delete</c> on the object, and setting
/// <c>blockOwnerDeletion</c> on a reference needs <c>update</c> on the owner's <c>finalizers</c> subresource.
/// The server's own controllers write without either check.
/// </summary>
internal sealed class RequestAuthorizer(RbacAuthorizer rbac, ResourceRegistry registry)
{
    private static readonly string[] PrivilegedGroups = ["system:masters", "kubeadm:cluster-admins"];

    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _denials = new();

    /// <summary>The message of every 403 this authorizer caused, oldest first.</summary>
    public IReadOnlyCollection<string> Denials => _denials;

    public bool Allows(AuthorizationAttributes request) => request.Groups.Any(PrivilegedGroups.Contains) || rbac.Allows(request);

    public void Authorize(AuthorizationAttributes request)
    {
        if (!Allows(request))
        {
            throw Denied(request.Forbidden());
        }
    }

    /// <summary>The gc admission plugin's checks for a create or update of <paramref name="candidate"/> (over <paramref name="old"/>).</summary>
    public void CheckOwnerReferences(ResourceDefinition definition, string subresource, string? @namespace, string? name, JsonObject candidate, JsonObject? old, RequestContext request)
    {
        var newRefs = References(candidate);
        var oldRefs = old is null ? [] : References(old);
        if (ReferencesEqual(newRefs, oldRefs))
        {
            return;
        }

        var (user, groups) = AuthorizationAttributes.UserOf(request.UserInfo);
        var target = new AuthorizationAttributes(user, groups, "delete", definition.Group, definition.Plural, subresource, definition.Namespaced ? @namespace : null, name);
        if (!Allows(target))
        {
            throw Denied(Forbidden(definition, name, "cannot set an ownerRef on a resource you can't delete: , <nil>"));
        }

        foreach (var reference in newRefs.Where(r => r["blockOwnerDeletion"]?.GetValue<bool>() == true))
        {
            var uid = reference["uid"]?.GetValue<string>();
            if (oldRefs.Any(o => o["uid"]?.GetValue<string>() == uid && o["blockOwnerDeletion"]?.GetValue<bool>() == true))
            {
                continue;
            }

            // an owner whose kind the server does not know cannot be authorized (the real plugin fails the same way)
            var owner = registry.FindByKind(reference["apiVersion"]?.GetValue<string>() ?? string.Empty, reference["kind"]?.GetValue<string>() ?? string.Empty);
            var finalizers = owner is null
                ? null
                : new AuthorizationAttributes(user, groups, "update", owner.Group, owner.Plural, "finalizers", owner.Namespaced ? @namespace : null, reference["name"]?.GetValue<string>());
            if (finalizers is null || !Allows(finalizers))
            {
                throw Denied(Forbidden(definition, name, "cannot set blockOwnerDeletion if an ownerReference refers to a resource you can't set finalizers on: , <nil>"));
            }
        }
    }

    private ApiException Denied(ApiException error)
    {
        _denials.Enqueue(error.Message);
        return error;
    }

    private static List<JsonObject> References(JsonObject obj) =>
        (obj["metadata"]?["ownerReferences"] as JsonArray ?? []).OfType<JsonObject>().ToList();

    private static bool ReferencesEqual(List<JsonObject> a, List<JsonObject> b) =>
        a.Count == b.Count && a.Zip(b).All(pair => JsonNode.DeepEquals(pair.First, pair.Second));

    /// <summary><c>admission.NewForbidden</c>: the object's resource and name, then the plugin's reason.</summary>
    private static ApiException Forbidden(ResourceDefinition definition, string? name, string reason) =>
        ApiException.Forbidden(definition.Group, definition.Plural, name, reason);
}
