using SidePool.Api;

namespace SidePool.Core.Tests;

/// <summary>Pools and credentials used across the rendering tests.</summary>
internal static class Pools
{
    public static readonly PoolKey Secrets = new(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());

    public static readonly PoolCredentials Credentials = new("app", "s3cret\"pw");

    public static readonly ClientCredentials Client = new("app", "cLiEnT-pAsSwOrD_0123456789abcdefghijklmnop");

    public static ConnectionPool Pool(Func<ConnectionPoolSpec, ConnectionPoolSpec>? change = null, string host = "127.0.0.1", int port = 5432)
    {
        var spec = new ConnectionPoolSpec
        {
            Selector = new LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "orders" } },
            Backend = new BackendSpec
            {
                Host = host,
                Port = port,
                Database = "orders",
                CredentialsSecret = new CredentialsSecretRef { Name = "orders-db-app" },
                Tls = new BackendTls { Mode = "disable" },
            },
        };
        return new ConnectionPool
        {
            Metadata = new ObjectMeta { Name = "orders-db", NamespaceProperty = "shop" },
            Spec = change is null ? spec : change(spec),
        };
    }

    public static ConnectionPool With(this ConnectionPool pool, Func<ConnectionPoolSpec, ConnectionPoolSpec> change) =>
        pool with { Spec = change(pool.Spec!) };
}
