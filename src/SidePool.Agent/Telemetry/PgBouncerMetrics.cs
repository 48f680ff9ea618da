using System.Globalization;
using Prometheus;
using SidePool.PgBouncer.Admin;

namespace SidePool.Agent.Telemetry;

/// <summary>
/// PgBouncer's admin console figures under the metric names of prometheus-community/pgbouncer_exporter, on the agent's
/// prometheus-net registry. <see cref="RefreshAsync"/> scrapes once per /metrics request, on the admin session the
/// agent keeps for scrapes (<see cref="KeptAdminSession"/>: no login per scrape), and sets every family from that
/// snapshot (<see cref="Apply"/>): a series PgBouncer no longer reports (a database removed, or every one when the
/// scrape failed) is removed, and a <c>pgbouncer_stats_totals_*</c> counter is PgBouncer's own total, so it drops
/// when PgBouncer restarts (a counter reset, which Prometheus' <c>rate()</c> handles) instead of sticking at the old
/// total. Label names are declared sorted by name, as the agent's exposition always had them.
/// </summary>
internal sealed class PgBouncerMetrics
{
    /// <summary>The <c>application_name</c> of the kept scrape session (visible in <c>SHOW CLIENTS</c>).</summary>
    public const string ScrapeApplicationName = "sidepool-agent-metrics";

    private static readonly string[] PoolLabels = ["database", "user"];
    private static readonly string[] TotalsLabels = ["database"];
    private static readonly string[] DatabaseLabels = ["database", "force_user", "host", "name", "pool_mode", "port"];

    private readonly Func<PgBouncerAdminClient, CancellationToken, Task<PgBouncerSnapshot>> _scrape;
    private readonly Gauge _up;
    private readonly Gauge _versionInfo;
    private readonly List<(Gauge Gauge, Func<PoolStatus, double> Value)> _pools = [];
    private readonly List<(Counter Counter, Func<DatabaseStatsTotals, double> Value)> _totals = [];
    private readonly List<(Gauge Gauge, Func<DatabaseStatus, double> Value)> _databases = [];
    private readonly List<(string List, Gauge Gauge)> _lists = [];
    private readonly Gauge _maxClientConnections;
    private readonly MetricFactory _factory;

    public PgBouncerMetrics(KeptAdminSession session, CollectorRegistry registry)
        : this(registry, (admin, ct) => ScrapeAsync(session, admin.Endpoint, ct))
    {
    }

    /// <summary>With <paramref name="scrape"/> in place of the admin console (tests).</summary>
    internal PgBouncerMetrics(CollectorRegistry registry, Func<PgBouncerAdminClient, CancellationToken, Task<PgBouncerSnapshot>> scrape)
    {
        _scrape = scrape;
        _factory = Metrics.WithCustomRegistry(registry);
        _up = _factory.CreateGauge("pgbouncer_up", "The pgbouncer scrape succeeded");
        _versionInfo = _factory.CreateGauge("pgbouncer_version_info", "The pgbouncer version info", ["version"]);

        Pool("pgbouncer_pools_client_active_connections", p => p.ClientActive, "Client connections that are linked to server connection and can process queries");
        Pool("pgbouncer_pools_client_waiting_connections", p => p.ClientWaiting, "Client connections that have sent queries but have not yet got a server connection");
        Pool("pgbouncer_pools_client_active_cancel_connections", p => p.ClientActiveCancelRequests, "Client connections that have forwarded query cancellations to the server and are waiting for the server response");
        Pool("pgbouncer_pools_client_waiting_cancel_connections", p => p.ClientWaitingCancelRequests, "Client connections that have not forwarded query cancellations to the server yet");
        Pool("pgbouncer_pools_server_active_connections", p => p.ServerActive, "Server connections that are linked to a client");
        Pool("pgbouncer_pools_server_active_cancel_connections", p => p.ServerActiveCancel, "Server connections that are currently forwarding a cancel request");
        Pool("pgbouncer_pools_server_being_canceled_connections", p => p.ServerBeingCanceled, "Servers that normally could become idle but are waiting to do so until all in-flight cancel requests have completed");
        Pool("pgbouncer_pools_server_idle_connections", p => p.ServerIdle, "Server connections that are unused and immediately usable for client queries");
        Pool("pgbouncer_pools_server_used_connections", p => p.ServerUsed, "Server connections that have been idle for more than server_check_delay");
        Pool("pgbouncer_pools_server_testing_connections", p => p.ServerTested, "Server connections that are currently running either server_reset_query or server_check_query");
        Pool("pgbouncer_pools_server_login_connections", p => p.ServerLogin, "Server connections currently in the process of logging in");
        Pool("pgbouncer_pools_client_maxwait_seconds", p => p.MaxWait, "Age of oldest unserved client connection, in seconds");

        Totals("pgbouncer_stats_totals_queries_pooled_total", t => t.QueryCount, "Total number of SQL queries pooled");
        Totals("pgbouncer_stats_totals_queries_duration_seconds_total", t => t.QueryTimeMicroseconds / 1e6, "Total number of seconds spent by pgbouncer when actively connected to PostgreSQL, executing queries");
        Totals("pgbouncer_stats_totals_received_bytes_total", t => t.BytesReceived, "Total volume in bytes of network traffic received by pgbouncer");
        Totals("pgbouncer_stats_totals_sent_bytes_total", t => t.BytesSent, "Total volume in bytes of network traffic sent by pgbouncer");
        Totals("pgbouncer_stats_totals_client_wait_seconds_total", t => t.WaitTimeMicroseconds / 1e6, "Time spent by clients waiting for a server in seconds");
        Totals("pgbouncer_stats_totals_sql_transactions_pooled_total", t => t.TransactionCount, "Total number of SQL transactions pooled");
        Totals("pgbouncer_stats_totals_server_in_transaction_seconds_total", t => t.TransactionTimeMicroseconds / 1e6, "Total number of seconds spent by pgbouncer when connected to PostgreSQL in a transaction, either idle in transaction or executing queries");

        Database("pgbouncer_databases_pool_size", d => d.PoolSize, "Maximum number of server connections");
        Database("pgbouncer_databases_reserve_pool", d => d.ReservePool, "Maximum number of additional connections for this database");
        Database("pgbouncer_databases_max_connections", d => d.MaxConnections, "Maximum number of allowed connections for this database");
        Database("pgbouncer_databases_current_connections", d => d.CurrentConnections, "Current number of connections for this database");
        Database("pgbouncer_databases_paused", d => d.Paused ? 1 : 0, "1 if this database is currently paused, else 0");
        Database("pgbouncer_databases_disabled", d => d.Disabled ? 1 : 0, "1 if this database is currently disabled, else 0");

        List("databases", "pgbouncer_databases", "Count of databases.");
        List("users", "pgbouncer_users", "Count of users.");
        List("pools", "pgbouncer_pools", "Count of pools.");
        List("free_clients", "pgbouncer_free_clients", "Count of free clients.");
        List("used_clients", "pgbouncer_used_clients", "Count of used clients.");
        List("login_clients", "pgbouncer_login_clients", "Count of clients in login state.");
        List("free_servers", "pgbouncer_free_servers", "Count of free servers.");
        List("used_servers", "pgbouncer_used_servers", "Count of used servers.");

        _maxClientConnections = _factory.CreateGauge(
            "pgbouncer_config_max_client_connections",
            "Config maximum number of client connections",
            new GaugeConfiguration { SuppressInitialValue = true });
        Apply(PgBouncerSnapshot.Down);
    }

    /// <summary>
    /// Scrapes the admin console on the kept session and applies what it returned; when that fails, whatever the
    /// exception, only <c>pgbouncer_up 0</c> remains. Callers serialize calls (<see cref="MetricsEndpoint"/>).
    /// </summary>
    public async Task RefreshAsync(PgBouncerAdminClient? admin, CancellationToken cancellationToken)
    {
        PgBouncerSnapshot snapshot;
        try
        {
            snapshot = admin is null ? PgBouncerSnapshot.Down : await _scrape(admin, cancellationToken);
        }
        catch (Exception e) when (e is PgBouncerAdminException or IOException or System.Net.Sockets.SocketException or OperationCanceledException)
        {
            snapshot = PgBouncerSnapshot.Down; // PgBouncer is gone, stopped, restarting or too slow: pgbouncer_up says so
        }
        catch (Exception e)
        {
            AgentLog.Error("metrics", $"scraping pgbouncer failed: {e.GetType().Name}: {e.Message}");
            snapshot = PgBouncerSnapshot.Down;
        }

        Apply(snapshot);
    }

    /// <summary>Sets every family from <paramref name="snapshot"/> (series it does not have are removed).</summary>
    internal void Apply(PgBouncerSnapshot snapshot)
    {
        _up.Set(snapshot.Up ? 1 : 0);
        SetGauge(_versionInfo, Rows<PgBouncerVersion>(snapshot.Version is { } version ? [version] : [], v => [v.ToString()]), _ => 1);

        var pools = Rows(snapshot.Pools, p => [p.Database, p.User]);
        foreach (var (gauge, value) in _pools)
        {
            SetGauge(gauge, pools, value);
        }

        var totals = Rows(snapshot.Totals, t => [t.Database]);
        foreach (var (counter, value) in _totals)
        {
            SetCounter(counter, totals, value);
        }

        var databases = Rows(snapshot.Databases, d => [d.Database, d.ForceUser, d.Host, d.Name, d.PoolMode, d.Port]);
        foreach (var (gauge, value) in _databases)
        {
            SetGauge(gauge, databases, value);
        }

        foreach (var (list, gauge) in _lists)
        {
            SetUnlabelled(gauge, snapshot.Lists.TryGetValue(list, out var items) ? items : null);
        }

        SetUnlabelled(_maxClientConnections, snapshot.MaxClientConnections);
    }

    private static Task<PgBouncerSnapshot> ScrapeAsync(KeptAdminSession session, AdminEndpoint endpoint, CancellationToken cancellationToken) =>
        session.RunAsync(
            endpoint,
            async (connection, ct) =>
            {
                var version = await PgBouncerAdminClient.ShowVersionAsync(connection, ct);
                var pools = await PgBouncerAdminClient.ShowPoolsAsync(connection, ct);
                var totals = await PgBouncerAdminClient.ShowStatsTotalsAsync(connection, ct);
                var databases = await PgBouncerAdminClient.ShowDatabasesAsync(connection, ct);
                var lists = await PgBouncerAdminClient.ShowListsAsync(connection, ct);
                var config = await PgBouncerAdminClient.ShowConfigAsync(connection, ct);
                var maxClients = config.FirstOrDefault(c => c.Key == "max_client_conn") is { } setting
                                 && long.TryParse(setting.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var max)
                    ? max
                    : (long?)null;
                return new PgBouncerSnapshot(true, version, pools, totals, databases, lists, maxClients);
            },
            cancellationToken);

    /// <summary>The rows with their label values, sorted by them (the order the series are first written in).</summary>
    private static Series<T> Rows<T>(IEnumerable<T> rows, Func<T, string[]> labels)
    {
        var list = rows.Select(r => (Labels: labels(r), Row: r))
            .OrderBy(r => string.Join('\0', r.Labels), StringComparer.Ordinal)
            .ToList();
        return new Series<T>(list, list.Select(r => string.Join('\0', r.Labels)).ToHashSet(StringComparer.Ordinal));
    }

    private static void SetGauge<T>(Gauge gauge, Series<T> series, Func<T, double> value)
    {
        foreach (var (labels, row) in series.Rows)
        {
            gauge.WithLabels(labels).Set(value(row));
        }

        RemoveOthers(gauge, series.Keys);
    }

    /// <summary>A counter shows PgBouncer's total: when that went down (PgBouncer restarted), the series starts over.</summary>
    private static void SetCounter<T>(Counter counter, Series<T> series, Func<T, double> value)
    {
        foreach (var (labels, row) in series.Rows)
        {
            var total = value(row);
            var child = counter.WithLabels(labels);
            if (total < child.Value)
            {
                counter.RemoveLabelled(labels);
                child = counter.WithLabels(labels);
            }

            child.IncTo(total);
        }

        RemoveOthers(counter, series.Keys);
    }

    private static void RemoveOthers<TChild>(Collector<TChild> metric, HashSet<string> keep)
        where TChild : ChildBase
    {
        foreach (var labels in metric.GetAllLabelValues())
        {
            if (!keep.Contains(string.Join('\0', labels)))
            {
                metric.RemoveLabelled(labels);
            }
        }
    }

    private static void SetUnlabelled(Gauge gauge, long? value)
    {
        if (value is { } v)
        {
            gauge.Set(v);
        }
        else
        {
            gauge.Unpublish();
        }
    }

    private void Pool(string name, Func<PoolStatus, double> value, string help) =>
        _pools.Add((_factory.CreateGauge(name, help, PoolLabels), value));

    private void Totals(string name, Func<DatabaseStatsTotals, double> value, string help) =>
        _totals.Add((_factory.CreateCounter(name, help, TotalsLabels), value));

    private void Database(string name, Func<DatabaseStatus, double> value, string help) =>
        _databases.Add((_factory.CreateGauge(name, help, DatabaseLabels), value));

    private void List(string list, string name, string help) =>
        _lists.Add((list, _factory.CreateGauge(name, help, new GaugeConfiguration { SuppressInitialValue = true })));

    /// <summary>The rows of one scrape with their label values, and the keys of those label values.</summary>
    private sealed record Series<T>(List<(string[] Labels, T Row)> Rows, HashSet<string> Keys);
}
