
namespace SidePool.Api.Tests;

internal static class ValidPools
{
    public static ConnectionPool Minimal() => new()
    {
        Metadata = new ObjectMeta { Name = "orders-db", NamespaceProperty = "shop" },
        Spec = new ConnectionPoolSpec
        {
            Selector = new LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "orders" } },
            Backend = new BackendSpec
            {
                Host = "orders-pg-rw.db.svc",
                Database = "orders",
                CredentialsSecret = new CredentialsSecretRef { Name = "orders-db-app" },
            },
        },
    };

    public static ConnectionPool With(this ConnectionPool pool, Func<ConnectionPoolSpec, ConnectionPoolSpec> change) =>
        pool with { Spec = change(pool.Spec!) };
}
