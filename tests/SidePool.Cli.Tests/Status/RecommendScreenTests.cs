using SidePool.Api;
using SidePool.Cli.Status;
using Xunit;

namespace SidePool.Cli.Tests.Status;

/// <summary><c>kubectl sidepool recommend</c>'s screen from given objects (the command runs against a cluster in the operator tests).</summary>
public sealed class RecommendScreenTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);

    private static ConnectionPool Pool(ConnectionPoolStatus? status, int? budget = 40) => new()
    {
        Metadata = new ObjectMeta { Name = "orders", NamespaceProperty = "shop" },
        Spec = new ConnectionPoolSpec
        {
            Selector = new LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "web" } },
            Backend = new BackendSpec { Host = "db", Database = "orders", CredentialsSecret = new CredentialsSecretRef { Name = "c" }, MaxConnections = budget },
            Pool = new PoolSettings { Size = 4, ReserveSize = 1 },
        },
        Status = status,
    };

    private static string Render(ConnectionPool pool) => RecommendScreen.Render(new PoolStatusReport(pool, [], [], Now));

    [Fact]
    public void Shows_the_advice_each_measured_version_and_ClientsStuck()
    {
        var text = Render(Pool(new ConnectionPoolStatus
        {
            Recommendation = new RecommendationStatus
            {
                Version = "aaaaaaaaaa",
                Reason = "RaisePoolSize",
                PoolSize = 4,
                SuggestedPoolSize = 9,
                BudgetAllows = 12,
                Message = "clients waited p95 200 ms at 100% server utilisation: raise pool.size to 9 (budget allows 12)",
                Since = Now.AddMinutes(-3),
            },
            Versions =
            [
                new PoolVersionStatus { Version = "aaaaaaaaaa", State = "Current", Load = new VersionLoadStatus { Pods = 3, Transactions = 90_000, WaitP95Ms = 200, ServerUtilisationPercent = 100, DemandP95 = 7, IdleInTransactionPercent = 2, ClosedIdleInTransaction = 0, ClosedWaiting = 4, ClosedIdle = 0 } },
                new PoolVersionStatus { Version = "bbbbbbbbbb", State = "Retired" },
            ],
            Conditions = [new Condition { Type = "ClientsStuck", Status = "False", Reason = "NoneStuck", Message = "no version keeps clients idle in transaction (at most 2% of transaction time idle)" }],
        }));

        var lines = text.Split('\n');
        Assert.Equal("ConnectionPool shop/orders: pool.size 4, reserve 1, backend.maxConnections 40", lines[0]);
        Assert.Contains("RaisePoolSize for version aaaaaaaaaa (pool.size 4 → 9, budget allows 12), since 3m ago", lines);
        Assert.Contains("  clients waited p95 200 ms at 100% server utilisation: raise pool.size to 9 (budget allows 12)", lines);
        Assert.Contains(lines, l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries) is ["aaaaaaaaaa", "Current", "3", "90000", "200", "ms", "100%", "7", "2%", "0/4/0"]);
        Assert.DoesNotContain(lines, l => l.Contains("bbbbbbbbbb", StringComparison.Ordinal)); // no measurements, no row
        Assert.Contains("ClientsStuck False (NoneStuck): no version keeps clients idle in transaction (at most 2% of transaction time idle)", lines);
    }

    [Fact]
    public void Says_so_when_there_is_no_advice_or_measurement_yet()
    {
        var text = Render(Pool(null, budget: null));
        Assert.StartsWith("ConnectionPool shop/orders: pool.size 4, reserve 1, no budget (backend.maxConnections)\n", text, StringComparison.Ordinal);
        Assert.Contains("No recommendation yet: the operator reads the agents' measurements every --load-interval", text, StringComparison.Ordinal);
        Assert.Contains("  no version has measurements\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("ClientsStuck", text, StringComparison.Ordinal);
    }
}
