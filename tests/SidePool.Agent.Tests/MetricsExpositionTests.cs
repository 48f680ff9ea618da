using Prometheus;
using SidePool.Agent.Telemetry;
using SidePool.PgBouncer.Admin;
using Xunit;

namespace SidePool.Agent.Tests;

/// <summary>
/// The agent's /metrics without processes: PgBouncer's figures come from snapshots given by the test (or from a scrape
/// that throws), the agent's own from <see cref="AgentMetrics"/> calls. What a real scrape looks like is pinned by
/// <see cref="MetricsGoldenTests"/>; these pin the behaviour between scrapes.
/// </summary>
public sealed class MetricsExpositionTests
{
    private static readonly PgBouncerAdminClient Admin = new(AdminEndpoint.UnixSocket("/nonexistent", 6432, "sidepool-agent", "unused"));

    private readonly ClosedClients _closed = new();
    private PgBouncerSnapshot _next = PgBouncerSnapshot.Down;
    private LoadMetrics? _load;
    private Exception? _failure;

    [Fact]
    public async Task A_total_that_pgbouncer_reset_is_shown_as_pgbouncer_reports_it_not_stuck_at_the_old_total()
    {
        var (endpoint, _) = Create();

        _next = Snapshot(totals: [Totals("orders", queries: 10)]);
        Assert.Equal(10, Sample(await ScrapeAsync(endpoint), "pgbouncer_stats_totals_queries_pooled_total{database=\"orders\"}"));
        _next = Snapshot(totals: [Totals("orders", queries: 25)]);
        Assert.Equal(25, Sample(await ScrapeAsync(endpoint), "pgbouncer_stats_totals_queries_pooled_total{database=\"orders\"}"));

        // PgBouncer restarted: its totals start over (a counter reset for Prometheus' rate()), and then grow again
        _next = Snapshot(totals: [Totals("orders", queries: 3)]);
        Assert.Equal(3, Sample(await ScrapeAsync(endpoint), "pgbouncer_stats_totals_queries_pooled_total{database=\"orders\"}"));
        _next = Snapshot(totals: [Totals("orders", queries: 7)]);
        var body = await ScrapeAsync(endpoint);
        Assert.Equal(7, Sample(body, "pgbouncer_stats_totals_queries_pooled_total{database=\"orders\"}"));
        Assert.Equal(7e-6, Sample(body, "pgbouncer_stats_totals_queries_duration_seconds_total{database=\"orders\"}"));
    }

    [Fact]
    public async Task Series_that_pgbouncer_no_longer_reports_are_removed()
    {
        var (endpoint, _) = Create();
        _next = Snapshot(
            version: new PgBouncerVersion(1, 18, 0),
            pools: [Pool("orders", "app", active: 2), Pool("billing", "app", active: 1)],
            totals: [Totals("orders", 5), Totals("billing", 6)],
            databases: [Database("orders"), Database("billing")]);
        var both = await ScrapeAsync(endpoint);
        Assert.Equal(2, Sample(both, "pgbouncer_pools_client_active_connections{database=\"orders\",user=\"app\"}"));
        Assert.Equal(1, Sample(both, "pgbouncer_pools_client_active_connections{database=\"billing\",user=\"app\"}"));
        Assert.Equal(1, Sample(both, "pgbouncer_version_info{version=\"1.18.0\"}"));

        _next = Snapshot(version: new PgBouncerVersion(1, 19, 1), pools: [Pool("orders", "app", active: 3)], totals: [Totals("orders", 9)], databases: [Database("orders")]);
        var one = await ScrapeAsync(endpoint);

        Assert.Equal(3, Sample(one, "pgbouncer_pools_client_active_connections{database=\"orders\",user=\"app\"}"));
        Assert.Equal(9, Sample(one, "pgbouncer_stats_totals_queries_pooled_total{database=\"orders\"}"));
        Assert.Equal(1, Sample(one, "pgbouncer_version_info{version=\"1.19.1\"}"));
        Assert.DoesNotContain("billing", one, StringComparison.Ordinal);
        Assert.DoesNotContain("1.18.0", one, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("admin")] // PgBouncerAdminException: PgBouncer refused or broke the session
    [InlineData("timeout")] // the admin console did not answer in time
    [InlineData("unexpected")] // anything else: still pgbouncer_up 0, not a 500
    public async Task A_refresh_that_throws_is_pgbouncer_up_0_with_no_pgbouncer_series_in_a_200(string failure)
    {
        var (endpoint, _) = Create();
        _next = Snapshot(
            pools: [Pool("orders", "app", active: 2)],
            totals: [Totals("orders", 5)],
            databases: [Database("orders")],
            lists: new Dictionary<string, long> { ["databases"] = 2 },
            maxClientConnections: 100);
        Assert.Equal(1, Sample(await ScrapeAsync(endpoint), "pgbouncer_up"));

        _failure = failure switch
        {
            "admin" => new PgBouncerAdminException("server closed the connection"),
            "timeout" => new OperationCanceledException(),
            _ => new InvalidOperationException("a row PgBouncer never sends"),
        };
        var scrape = await endpoint.ScrapeAsync(Admin, CancellationToken.None);

        Assert.Equal(200, scrape.Status);
        Assert.Equal(0, Sample(scrape.Body, "pgbouncer_up"));
        Assert.Null(Sample(scrape.Body, "pgbouncer_databases"));
        Assert.Null(Sample(scrape.Body, "pgbouncer_config_max_client_connections"));
        Assert.DoesNotContain("orders", scrape.Body, StringComparison.Ordinal);
        Assert.Contains("# TYPE pgbouncer_pools_client_active_connections gauge\n", scrape.Body, StringComparison.Ordinal);

        _failure = null;
        Assert.Equal(1, Sample(await ScrapeAsync(endpoint), "pgbouncer_up"));
    }

    [Fact]
    public async Task Histograms_have_the_advised_buckets_cumulative_with_sum_and_count()
    {
        var (endpoint, agent) = Create();
        foreach (var ms in new[] { 0.5, 2, 3, 700, 3000 })
        {
            agent.ReadinessChecked(true, TimeSpan.FromMilliseconds(ms));
        }

        agent.BackendChecked(false, TimeSpan.FromMilliseconds(20));
        var body = await ScrapeAsync(endpoint);

        const string name = "sidepool_agent_readiness_check_duration_seconds";
        Assert.Equal(1, Sample(body, $"{name}_bucket{{result=\"ready\",le=\"0.001\"}}"));
        Assert.Equal(2, Sample(body, $"{name}_bucket{{result=\"ready\",le=\"0.0025\"}}"));
        Assert.Equal(3, Sample(body, $"{name}_bucket{{result=\"ready\",le=\"0.005\"}}"));
        Assert.Equal(3, Sample(body, $"{name}_bucket{{result=\"ready\",le=\"0.5\"}}"));
        Assert.Equal(4, Sample(body, $"{name}_bucket{{result=\"ready\",le=\"1\"}}"));
        Assert.Equal(4, Sample(body, $"{name}_bucket{{result=\"ready\",le=\"2.5\"}}"));
        Assert.Equal(5, Sample(body, $"{name}_bucket{{result=\"ready\",le=\"+Inf\"}}"));
        Assert.Equal(5, Sample(body, $"{name}_count{{result=\"ready\"}}"));
        Assert.Equal(3.7055, Sample(body, $"{name}_sum{{result=\"ready\"}}")!.Value, 9);
        Assert.Equal(12, body.Split('\n').Count(l => l.StartsWith($"{name}_bucket{{", StringComparison.Ordinal)));
        Assert.Equal(1, Sample(body, "sidepool_backend_check_duration_seconds_bucket{result=\"down\",le=\"0.025\"}"));
        Assert.Equal(0, Sample(body, "sidepool_backend_check_duration_seconds_bucket{result=\"down\",le=\"0.01\"}"));
        Assert.Equal(1, Sample(body, "sidepool_backend_check_duration_seconds_bucket{result=\"down\",le=\"5\"}"));
        Assert.DoesNotContain("not_ready", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Counters_nobody_incremented_have_only_help_and_type_then_count()
    {
        var (endpoint, agent) = Create();

        var before = await ScrapeAsync(endpoint);
        Assert.Contains("# TYPE sidepool_agent_pgbouncer_restarts_total counter\n", before, StringComparison.Ordinal);
        Assert.Null(Sample(before, "sidepool_agent_pgbouncer_restarts_total"));
        Assert.DoesNotContain("sidepool_agent_reloads_total{", before, StringComparison.Ordinal);

        agent.PgBouncerRestarted();
        agent.PgBouncerRestarted();
        agent.Reload("applied");
        agent.Reload("invalid");
        agent.Reload("applied");
        var after = await ScrapeAsync(endpoint);
        Assert.Equal(2, Sample(after, "sidepool_agent_pgbouncer_restarts_total"));
        Assert.Equal(2, Sample(after, "sidepool_agent_reloads_total{result=\"applied\"}"));
        Assert.Equal(1, Sample(after, "sidepool_agent_reloads_total{result=\"invalid\"}"));
        Assert.Null(Sample(after, "sidepool_agent_pending_restarts_total"));
    }

    [Fact]
    public async Task Label_values_are_escaped_and_labels_keep_the_exposition_order()
    {
        var (endpoint, _) = Create();
        _next = Snapshot(databases: [Database("we\"ird\\db\nx") with { Host = "10.0.0.1", Port = "5432", PoolMode = "transaction" }]);

        var body = await ScrapeAsync(endpoint);

        Assert.Contains(
            "pgbouncer_databases_pool_size{database=\"we\\\"ird\\\\db\\nx\",force_user=\"app\",host=\"10.0.0.1\",name=\"we\\\"ird\\\\db\\nx\",pool_mode=\"transaction\",port=\"5432\"} 10\n",
            body,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task Only_the_agents_and_pgbouncers_families_in_the_text_format_0_0_4()
    {
        var (endpoint, _) = Create();
        _next = Snapshot(pools: [Pool("orders", "app", 1)]);

        var scrape = await endpoint.ScrapeAsync(Admin, CancellationToken.None);

        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", scrape.ContentType);
        var families = scrape.Body.Split('\n').Where(l => l.StartsWith("# TYPE ", StringComparison.Ordinal)).Select(l => l.Split(' ')[2]).ToList();
        var golden = File.ReadLines(SidePool.Testing.SourceTree.PathOf("tests", "SidePool.Agent.Tests", "Golden", "metrics.txt"))
            .Where(l => l.StartsWith("# TYPE ", StringComparison.Ordinal))
            .Select(l => l.Split(' ')[2]);
        Assert.Equal(golden.Order(StringComparer.Ordinal), families.Order(StringComparer.Ordinal));
        Assert.All(families, f => Assert.True(f.StartsWith("pgbouncer_", StringComparison.Ordinal) || f.StartsWith("sidepool_", StringComparison.Ordinal), f));
        Assert.DoesNotContain("# EOF", scrape.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Load_metrics_count_waits_by_transaction_and_closed_clients_by_timeout_from_zero()
    {
        var (endpoint, _) = Create();
        var before = await ScrapeAsync(endpoint);

        _load!.Waited(0.15, 10); // one second's estimate: 10 transactions that waited 150 ms each
        _load.Waited(0.0005, 4);
        _load.SetUtilisation(0.75);
        _closed.Observe("2026-12-03 13:50:14.955 UTC [8804] WARNING C-0x560e6f8b28e0: orders/app@127.0.0.1:38060 pooler error: query_wait_timeout");
        var after = await ScrapeAsync(endpoint);

        Assert.All(SidePool.Contract.VersionContract.Load.Timeouts, t => Assert.Equal(0, Sample(before, $"sidepool_agent_clients_closed_total{{timeout=\"{t}\"}}")));
        Assert.Equal(1, Sample(after, "sidepool_agent_clients_closed_total{timeout=\"query_wait_timeout\"}"));
        Assert.Equal(0, Sample(after, "sidepool_agent_clients_closed_total{timeout=\"idle_transaction_timeout\"}"));
        Assert.Equal(4, Sample(after, "sidepool_agent_client_wait_seconds_bucket{le=\"0.001\"}"));
        Assert.Equal(4, Sample(after, "sidepool_agent_client_wait_seconds_bucket{le=\"0.1\"}"));
        Assert.Equal(14, Sample(after, "sidepool_agent_client_wait_seconds_bucket{le=\"0.2\"}"));
        Assert.Equal(14, Sample(after, "sidepool_agent_client_wait_seconds_count"));
        Assert.Equal(1.502, Sample(after, "sidepool_agent_client_wait_seconds_sum")!.Value, 9);
        Assert.Equal(0.75, Sample(after, "sidepool_agent_server_utilisation_ratio"));
    }

    private static double? Sample(string exposition, string series) => AgentProcess.Sample(exposition, series);

    private static PgBouncerSnapshot Snapshot(
        PgBouncerVersion? version = null,
        IReadOnlyList<PoolStatus>? pools = null,
        IReadOnlyList<DatabaseStatsTotals>? totals = null,
        IReadOnlyList<DatabaseStatus>? databases = null,
        IReadOnlyDictionary<string, long>? lists = null,
        long? maxClientConnections = null) =>
        new(true, version ?? new PgBouncerVersion(1, 18, 0), pools ?? [], totals ?? [], databases ?? [], lists ?? new Dictionary<string, long>(), maxClientConnections);

    private static PoolStatus Pool(string database, string user, long active) =>
        new(database, user, active, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, "transaction");

    private static DatabaseStatsTotals Totals(string database, long queries) => new(database, queries, queries, queries, queries, queries, queries, queries);

    private static DatabaseStatus Database(string name) => new(name, "127.0.0.1", "5432", name, "app", 10, 0, "", 0, 1, false, false);

    private static async Task<string> ScrapeAsync(MetricsEndpoint endpoint)
    {
        var scrape = await endpoint.ScrapeAsync(Admin, CancellationToken.None);
        Assert.Equal(200, scrape.Status);
        return scrape.Body;
    }

    private (MetricsEndpoint Endpoint, AgentMetrics Agent) Create()
    {
        var registry = AgentRegistry.Create();
        var pgBouncer = new PgBouncerMetrics(registry, (_, _) => _failure is { } failure ? Task.FromException<PgBouncerSnapshot>(failure) : Task.FromResult(_next));
        var agent = new AgentMetrics(new AgentState(), registry);
        _load = new LoadMetrics(registry, _closed);
        return (new MetricsEndpoint(registry, pgBouncer), agent);
    }
}
