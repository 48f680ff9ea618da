using SidePool.Api;

namespace SidePool.Core.Tests;

/// <summary>Pools, pods and times shared by the builder tests.</summary>
internal static class TestData
{
    public static readonly DateTimeOffset Now = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    public const string V1 = "aaaaaaaaaa";
    public const string V2 = "bbbbbbbbbb";

    public static ConnectionPool Pool(Action<ConnectionPoolSpec>? change = null, ConnectionPoolStatus? status = null)
    {
        var spec = new ConnectionPoolSpec
        {
            Selector = new LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "orders" } },
            Backend = new BackendSpec
            {
                Host = "db.example",
                Database = "orders",
                CredentialsSecret = new CredentialsSecretRef { Name = "orders-creds" },
            },
        };
        change?.Invoke(spec);
        return new ConnectionPool
        {
            Metadata = new ObjectMeta { Name = "orders-db", NamespaceProperty = "shop", Uid = "uid-1", Generation = 3 },
            Spec = spec,
            Status = status,
        };
    }

    public static ObservedPod Pod(string name, string? version, bool ready = true, string owner = "web", string kind = WorkloadRef.Deployment, bool terminating = false, DateTimeOffset? created = null) => new()
    {
        Name = name,
        Version = version,
        Ready = ready,
        Terminating = terminating,
        Owner = new WorkloadRef(kind, owner),
        CreatedAt = created ?? Now.AddMinutes(-1),
    };

    public static DesiredVersion Desired(string shortVersion) => new(shortVersion + new string('0', 54), "rev" + shortVersion);
}
