using SidePool.Api;
using SidePool.Cli.Status;
using Xunit;

namespace SidePool.Cli.Tests.Status;

/// <summary>The status screen from given objects (the command that reads them runs against a cluster in the operator tests).</summary>
public sealed class StatusScreenTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);

    private static ConnectionPool Pool(Action<ConnectionPool>? change = null)
    {
        var pool = new ConnectionPool
        {
            Metadata = new ObjectMeta { Name = "orders", NamespaceProperty = "shop", Generation = 3 },
            Spec = new ConnectionPoolSpec
            {
                Selector = new LabelSelector
                {
                    MatchLabels = new Dictionary<string, string> { ["app"] = "web" },
                    MatchExpressions = [new LabelSelectorRequirement { Key = "tier", OperatorProperty = "In", Values = ["a", "b"] }, new LabelSelectorRequirement { Key = "canary", OperatorProperty = "DoesNotExist" }],
                },
                Backend = new BackendSpec { Host = "db", Database = "orders", CredentialsSecret = new CredentialsSecretRef { Name = "orders-creds" }, MaxConnections = 30 },
            },
        };
        change?.Invoke(pool);
        return pool;
    }

    private static string[] Lines(ConnectionPool pool, IReadOnlyList<Pod>? pods = null, IReadOnlyList<Event>? events = null) =>
        StatusScreen.Render(new PoolStatusReport(pool, pods ?? [], events ?? [], Now)).Split('\n');

    [Theory]
    [InlineData(0, "0s")]
    [InlineData(119, "119s")]
    [InlineData(120, "2m")]
    [InlineData(125, "2m5s")]
    [InlineData(600, "10m")]
    [InlineData(3 * 3600 - 1, "179m")]
    [InlineData(3 * 3600, "3h")]
    [InlineData(4 * 3600 + 5 * 60, "4h5m")]
    [InlineData(30 * 3600, "30h")]
    [InlineData(5 * 86400 + 3 * 3600, "5d3h")]
    [InlineData(40 * 86400, "40d")]
    [InlineData(-5, "0s")]
    public void Ages_read_as_kubectl_prints_them(int seconds, string expected)
    {
        Assert.Equal(expected, StatusScreen.HumanDuration(TimeSpan.FromSeconds(seconds)));
    }

    [Fact]
    public void A_pool_the_operator_has_not_seen_says_so_in_every_section()
    {
        var lines = Lines(Pool());

        Assert.Equal("ConnectionPool shop/orders", lines[0]);
        Assert.Contains("  Selector:           app=web,tier in (a,b),!canary", lines);
        Assert.Contains("  Generation:         3 (operator has seen none yet)", lines);
        Assert.Contains("  Current version:    none published yet", lines);
        Assert.Contains("  Server connections: budget 30, not counted yet", lines);
        Assert.Contains("  no version yet", lines);
        Assert.Contains("  no pod carries this pool's sidecar", lines);
        Assert.Contains("  none (events expire after an hour by default)", lines);
    }

    [Fact]
    public void Connections_over_the_budget_are_called_out()
    {
        var lines = Lines(Pool(p => p.Status = new ConnectionPoolStatus { ServerConnections = new ServerConnectionsStatus { PerPod = 12, Pods = 3, Total = 36, Budget = 30 } }));

        Assert.Contains("  Server connections: 36 at most (12 per pod x 3 pods), OVER the budget of 30", lines);
    }

    [Fact]
    public void A_terminating_pod_shows_as_such_with_its_sidecar_counted()
    {
        var pod = new Pod
        {
            Metadata = new ObjectMeta
            {
                Name = "web-1",
                CreationTimestamp = Now.AddMinutes(-5).UtcDateTime,
                DeletionTimestamp = Now.UtcDateTime,
                Labels = new Dictionary<string, string> { ["pools.sidepool.dev/orders"] = "0123456789" },
            },
            Spec = new PodSpec
            {
                Containers = [new Container { Name = "app" }],
                InitContainers = [new Container { Name = "sidepool-orders", RestartPolicy = "Always" }, new Container { Name = "migrate" }],
            },
            Status = new PodStatus
            {
                Phase = "Running",
                ContainerStatuses = [new ContainerStatus { Name = "app", Ready = true, RestartCount = 1 }],
                InitContainerStatuses = [new ContainerStatus { Name = "sidepool-orders", Ready = false, RestartCount = 2 }, new ContainerStatus { Name = "migrate", Ready = false, RestartCount = 4 }],
            },
        };

        var lines = Lines(Pool(), pods: [pod]);

        Assert.Contains("  web-1  0123456789  1/2    Terminating  3         5m", lines);
    }

    [Fact]
    public void Only_the_last_ten_events_show_oldest_first()
    {
        var events = Enumerable.Range(0, 14).Select(i => new Event
        {
            Metadata = new ObjectMeta { Name = $"e{i}" },
            EventTime = Now.AddSeconds(-100 + i).UtcDateTime,
            Type = "Normal",
            Reason = $"R{i:00}",
            Note = $"note {i}",
        }).Reverse().ToList();

        var lines = Lines(Pool(), events: events);
        var shown = lines.SkipWhile(l => !l.StartsWith("Recent events", StringComparison.Ordinal)).ToList();

        Assert.Equal("Recent events (last 10 of 14)", shown[0]);
        Assert.Equal(Enumerable.Range(4, 10).Select(i => $"R{i:00}"), shown.Skip(2).Where(l => l.Length > 0).Select(l => l.Split("  ", StringSplitOptions.RemoveEmptyEntries)[2].Trim()));
    }
}
