using SidePool.Api;

namespace SidePool.Kubernetes.Client;

/// <summary>
/// The <c>ConnectionPool</c> custom resource for the typed client (tolerant of fields the model lacks), with its
/// source-generated JSON: the operator and <c>kubectl-sidepool</c> both read pools through it.
/// </summary>
public static class ConnectionPoolResource
{
    public static ResourceType<ConnectionPool> Type { get; } =
        new(new ApiResource(Naming.Group, Naming.Version, Naming.Plural, Naming.Kind, Namespaced: true), ApiJsonContext.Lenient.ConnectionPool);
}
