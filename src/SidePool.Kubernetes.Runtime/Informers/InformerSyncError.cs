using k8s;
using k8s.Models;
using SidePool.Kubernetes.Client;
using SidePool.Kubernetes.Errors;

namespace SidePool.Kubernetes.Runtime.Informers;

/// <summary>
/// A failure retrying will not fix by itself: the API server refuses the informer's list or watch (403 Forbidden: RBAC
/// lacks a rule; 401 Unauthorized: the credentials are refused; 404: the resource is not served, e.g. a CRD that is not
/// installed). The informer keeps retrying, so it recovers once the cause is fixed.
/// </summary>
/// <param name="Verb"><c>list</c> or <c>watch</c>.</param>
/// <param name="Resource">The informer's resource.</param>
/// <param name="Namespace">The informer's namespace; null = all namespaces (or a cluster-scoped resource).</param>
/// <param name="Error">The server's answer (<see cref="KubernetesForbiddenException"/>, ...).</param>
/// <param name="Since">When this error was first seen.</param>
public sealed record InformerSyncError(string Verb, ApiResource Resource, string? Namespace, KubernetesApiException Error, DateTimeOffset Since)
{
    /// <summary>
    /// What is wrong and what would fix it, one line, e.g. <c>forbidden to list secrets in all namespaces (RBAC: grant
    /// list/watch on secrets in API group "" cluster-wide)</c>. Names no credentials.
    /// </summary>
    public string Summary => Error switch
    {
        KubernetesForbiddenException => $"forbidden to {Verb} {QualifiedResource}{Where} (RBAC: grant list/watch on {Resource.Plural} in API group \"{Resource.Group}\" {Scope})",
        KubernetesUnauthorizedException => $"unauthorized to {Verb} {QualifiedResource}{Where}: the API server refuses the credentials (check the service-account token or the kubeconfig user)",
        KubernetesNotFoundException => $"the API server does not serve {QualifiedResource} ({Resource.ApiVersion}){(Resource.Group.Length > 0 ? ": is its CustomResourceDefinition installed?" : string.Empty)}",
        _ => $"cannot {Verb} {QualifiedResource}{Where}: {Error.Message}",
    };

    /// <summary>Whether the informer treats <paramref name="error"/> as persistent (reported) rather than transient.</summary>
    public static bool IsPersistent(KubernetesApiException error) =>
        error is KubernetesForbiddenException or KubernetesUnauthorizedException or KubernetesNotFoundException;

    /// <summary>Same problem (verb, resource, scope, kind of error), whatever the time or the exact answer.</summary>
    public bool IsSameProblemAs(InformerSyncError? other) =>
        other is not null && other.Summary == Summary;

    public override string ToString() => Summary;

    private string QualifiedResource => Resource.Group.Length == 0 ? Resource.Plural : $"{Resource.Plural}.{Resource.Group}";

    private string Where => !Resource.Namespaced ? string.Empty : Namespace is null ? " in all namespaces" : $" in namespace {Namespace}";

    private string Scope => Resource.Namespaced && Namespace is not null ? $"in namespace {Namespace}" : "cluster-wide";
}
