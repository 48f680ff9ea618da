using System.Text.Json.Nodes;

namespace SidePool.Kubernetes.FakeServer.Authorization;

/// <summary>
/// What the authorizer decides on, as kube-apiserver's <c>authorizer.Attributes</c> for a resource request: the user and
/// groups, the verb, the API group, resource and subresource, the namespace (null at the cluster scope) and the name
/// (for list and watch, the one a <c>metadata.name</c> field selector names, as the real request-info factory does).
/// </summary>
internal sealed record AuthorizationAttributes(string User, IReadOnlyList<string> Groups, string Verb, string ApiGroup, string Resource, string Subresource, string? Namespace, string? Name)
{
    /// <summary>The resource as RBAC rules name it: <c>plural</c> or <c>plural/subresource</c>.</summary>
    public string RuleResource => Subresource.Length == 0 ? Resource : $"{Resource}/{Subresource}";

    /// <summary>The user and groups of an <c>authentication/v1 UserInfo</c> object.</summary>
    public static (string User, IReadOnlyList<string> Groups) UserOf(JsonObject userInfo) => (
        userInfo["username"]?.GetValue<string>() ?? string.Empty,
        (userInfo["groups"] as JsonArray)?.Select(g => g?.GetValue<string>() ?? string.Empty).ToList() ?? []);

    /// <summary>
    /// The 403 kube-apiserver answers (<c>responsewriters.Forbidden</c>: <c>forbiddenMessage</c> inside
    /// <c>errors.NewForbidden</c>): message and details as it writes them.
    /// </summary>
    public ApiException Forbidden(string? reason = null)
    {
        var scope = Namespace is null ? "at the cluster scope" : $"in the namespace \"{Namespace}\"";
        return ApiException.Forbidden(
            ApiGroup,
            Resource,
            Name,
            $"User \"{User}\" cannot {Verb} resource \"{RuleResource}\" in API group \"{ApiGroup}\" {scope}" + (reason is null ? string.Empty : $": {reason}"));
    }
}
