using System.Diagnostics.Metrics;
using System.Globalization;
using SidePool.PgBouncer.Admin;

namespace SidePool.Agent.Telemetry;

/// <summary>
/// PgBouncer's admin console figures under the metric names of prometheus-community/pgbouncer_exporter.
/// <see cref="RefreshAsync"/> scrapes once per /metrics request, on the admin session the agent keeps for scrapes
/// (<see cref="KeptAdminSession"/>: no login per scrape); the observable instruments read that snapshot.
/// </summary>
internal sealed class PgBouncerMetrics : IDisposable
{
    /// <summary>The <c>application_name</c> of the kept scrape session (visible in <c>SHOW CLIENTS</c>).</summary>
    public const string ScrapeApplicationName = "sidepool-agent-metrics";

    public const string MeterName = "SidePool.PgBouncer";

    private static readonly (string List, string Metric, string Help)[] ListMetrics =
    [
        ("databases", "pgbouncer_databases", "Count of databases."),
        ("users", "pgbouncer_users", "Count of users."),
        ("pools", "pgbouncer_pools", "Count of pools."),
        ("free_clients", "pgbouncer_free_clients", "Count of free clients."),
        ("used_clients", "pgbouncer_used_clients", "Count of used clients."),
        ("login_clients", "pgbouncer_login_clients", "Count of clients in login state."),
        ("free_servers", "pgbouncer_free_servers", "Count of free servers."),
        ("used_servers", "pgbouncer_used_servers", "Count of used servers."),
    ];

    private readonly Meter _meter = new(MeterName);
    private readonly SemaphoreSlim _scrapeGate = new(1, 1);
    private readonly KeptAdminSession _session;
    private PgBouncerSnapshot _snapshot = PgBouncerSnapshot.Down;

    public PgBouncerMetrics(KeptAdminSession session)
    {
        _session = session;
        _meter.CreateObservableGauge("pgbouncer_up", () => _snapshot.Up ? 1 : 0, description: "The pgbouncer scrape succeeded");
        _meter.CreateObservableGauge(
            "pgbouncer_version_info",
            () => _snapshot.Version is { } v ? [new Measurement<int>(1, new KeyValuePair<string, object?>("version", v.ToString()))] : Array.Empty<Measurement<int>>(),
            description: "The pgbouncer version info");

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

        Totals("pgbouncer_stats_totals_queries_pooled", t => t.QueryCount, "Total number of SQL queries pooled");
        Totals("pgbouncer_stats_totals_queries_duration_seconds", t => t.QueryTimeMicroseconds / 1e6, "Total number of seconds spent by pgbouncer when actively connected to PostgreSQL, executing queries");
        Totals("pgbouncer_stats_totals_received_bytes", t => t.BytesReceived, "Total volume in bytes of network traffic received by pgbouncer");
        Totals("pgbouncer_stats_totals_sent_bytes", t => t.BytesSent, "Total volume in bytes of network traffic sent by pgbouncer");
        Totals("pgbouncer_stats_totals_client_wait_seconds", t => t.WaitTimeMicroseconds / 1e6, "Time spent by clients waiting for a server in seconds");
        Totals("pgbouncer_stats_totals_sql_transactions_pooled", t => t.TransactionCount, "Total number of SQL transactions pooled");
        Totals("pgbouncer_stats_totals_server_in_transaction_seconds", t => t.TransactionTimeMicroseconds / 1e6, "Total number of seconds spent by pgbouncer when connected to PostgreSQL in a transaction, either idle in transaction or executing queries");

        Database("pgbouncer_databases_pool_size", d => d.PoolSize, "Maximum number of server connections");
        Database("pgbouncer_databases_reserve_pool", d => d.ReservePool, "Maximum number of additional connections for this database");
        Database("pgbouncer_databases_max_connections", d => d.MaxConnections, "Maximum number of allowed connections for this database");
        Database("pgbouncer_databases_current_connections", d => d.CurrentConnections, "Current number of connections for this database");
        Database("pgbouncer_databases_paused", d => d.Paused ? 1 : 0, "1 if this database is currently paused, else 0");
        Database("pgbouncer_databases_disabled", d => d.Disabled ? 1 : 0, "1 if this database is currently disabled, else 0");

        foreach (var (list, metric, help) in ListMetrics)
        {
            _meter.CreateObservableGauge(
                metric,
                () => _snapshot.Lists.TryGetValue(list, out var items) ? [new Measurement<long>(items)] : Array.Empty<Measurement<long>>(),
                description: help);
        }

        _meter.CreateObservableGauge(
            "pgbouncer_config_max_client_connections",
            () => _snapshot.MaxClientConnections is { } max ? [new Measurement<long>(max)] : Array.Empty<Measurement<long>>(),
            description: "Config maximum number of client connections");
    }

    public PgBouncerSnapshot Snapshot => _snapshot;

    /// <summary>Scrapes the admin console on the kept session; on failure only <c>pgbouncer_up 0</c> remains.</summary>
    public async Task RefreshAsync(PgBouncerAdminClient? admin, CancellationToken cancellationToken)
    {
        await _scrapeGate.WaitAsync(cancellationToken);
        try
        {
            _snapshot = admin is null ? PgBouncerSnapshot.Down : await ScrapeAsync(_session, admin.Endpoint, cancellationToken);
        }
        catch (Exception e) when (e is PgBouncerAdminException or IOException or System.Net.Sockets.SocketException or OperationCanceledException)
        {
            _snapshot = PgBouncerSnapshot.Down;
        }
        finally
        {
            _scrapeGate.Release();
        }
    }

    public void Dispose()
    {
        _meter.Dispose();
        _scrapeGate.Dispose();
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

    private void Pool(string name, Func<PoolStatus, double> value, string help) =>
        _meter.CreateObservableGauge(
            name,
            () => _snapshot.Pools.Select(p => new Measurement<double>(value(p), new("database", p.Database), new("user", p.User))),
            description: help);

    private void Totals(string name, Func<DatabaseStatsTotals, double> value, string help) =>
        _meter.CreateObservableCounter(
            name,
            () => _snapshot.Totals.Select(t => new Measurement<double>(value(t), new KeyValuePair<string, object?>("database", t.Database))),
            description: help);

    private void Database(string name, Func<DatabaseStatus, double> value, string help) =>
        _meter.CreateObservableGauge(
            name,
            () => _snapshot.Databases.Select(d => new Measurement<double>(
                value(d),
                new("name", d.Name),
                new("host", d.Host),
                new("port", d.Port),
                new("database", d.Database),
                new("force_user", d.ForceUser),
                new("pool_mode", d.PoolMode))),
            description: help);
}
