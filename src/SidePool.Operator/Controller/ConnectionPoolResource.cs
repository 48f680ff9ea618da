using SidePool.Api;
using SidePool.Kubernetes.Client;

namespace SidePool.Operator.Controller;

/// <summary>The <c>ConnectionPool</c> custom resource for the typed client (tolerant of fields the model lacks).</summary>
public static class ConnectionPoolResource
{
    public static ResourceType<ConnectionPool> Type { get; } =
        new(new ApiResource(Naming.Group, Naming.Version, Naming.Plural, Naming.Kind, Namespaced: true), ApiJsonContext.Lenient.ConnectionPool);
}
