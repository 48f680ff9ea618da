namespace SidePool.PgBouncer.Admin;

/// <summary>
/// Typed admin console commands. Every call opens its own session and closes it before returning, so no
/// admin session outlives an operation (an open one would keep <c>SHUTDOWN WAIT_FOR_CLIENTS</c> from finishing).
/// Use <see cref="RunAsync{T}"/> to run several commands in one session.
/// </summary>
public sealed class PgBouncerAdminClient(AdminEndpoint endpoint)
{
    public AdminEndpoint Endpoint { get; } = endpoint;

    /// <summary>Runs <paramref name="operation"/> on a fresh session that is closed afterwards.</summary>
    public async Task<T> RunAsync<T>(Func<AdminConnection, CancellationToken, Task<T>> operation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(operation);
        await using var connection = await AdminConnection.OpenAsync(Endpoint, cancellationToken);
        return await operation(connection, cancellationToken);
    }

    public Task<AdminQueryResult> QueryAsync(string sql, CancellationToken cancellationToken = default) =>
        RunAsync((c, ct) => c.QueryAsync(sql, ct), cancellationToken);

    public Task<PgBouncerVersion> ShowVersionAsync(CancellationToken cancellationToken = default) =>
        RunAsync(ShowVersionAsync, cancellationToken);

    public Task<IReadOnlyList<PoolStatus>> ShowPoolsAsync(CancellationToken cancellationToken = default) =>
        RunAsync(ShowPoolsAsync, cancellationToken);

    public Task<IReadOnlyList<DatabaseStatsTotals>> ShowStatsTotalsAsync(CancellationToken cancellationToken = default) =>
        RunAsync(ShowStatsTotalsAsync, cancellationToken);

    public Task<IReadOnlyList<DatabaseStats>> ShowStatsAsync(CancellationToken cancellationToken = default) =>
        RunAsync(async (c, ct) => Map(await c.QueryAsync("SHOW STATS", ct), DatabaseStats.From), cancellationToken);

    public Task<IReadOnlyList<DatabaseStatus>> ShowDatabasesAsync(CancellationToken cancellationToken = default) =>
        RunAsync(ShowDatabasesAsync, cancellationToken);

    public Task<IReadOnlyDictionary<string, long>> ShowListsAsync(CancellationToken cancellationToken = default) =>
        RunAsync(ShowListsAsync, cancellationToken);

    public Task<IReadOnlyList<ClientConnection>> ShowClientsAsync(CancellationToken cancellationToken = default) =>
        RunAsync(ShowClientsAsync, cancellationToken);

    public Task<IReadOnlyList<ConfigSetting>> ShowConfigAsync(CancellationToken cancellationToken = default) =>
        RunAsync(ShowConfigAsync, cancellationToken);

    public Task<IReadOnlyList<UserEntry>> ShowUsersAsync(CancellationToken cancellationToken = default) =>
        RunAsync(async (c, ct) => Map(await c.QueryAsync("SHOW USERS", ct), UserEntry.From), cancellationToken);

    /// <summary>Counts application clients: <c>SHOW CLIENTS</c> without admin console sessions.</summary>
    public async Task<int> CountApplicationClientsAsync(CancellationToken cancellationToken = default) =>
        await CountApplicationClientsAsync(null, cancellationToken);

    /// <summary>Clients that are neither admin sessions nor of one of <paramref name="ignoredApplications"/> (the caller's own).</summary>
    public async Task<int> CountApplicationClientsAsync(IReadOnlySet<string>? ignoredApplications, CancellationToken cancellationToken = default) =>
        (await ShowClientsAsync(cancellationToken)).Count(c => !c.IsAdminSession && ignoredApplications?.Contains(c.ApplicationName) != true);

    public Task ReloadAsync(CancellationToken cancellationToken = default) => QueryAsync("RELOAD", cancellationToken);

    /// <summary>PAUSE (all databases or one): returns once every server connection is released.</summary>
    public Task PauseAsync(string? database = null, CancellationToken cancellationToken = default) =>
        QueryAsync(database is null ? "PAUSE" : $"PAUSE {QuoteIdentifier(database)}", cancellationToken);

    public Task ResumeAsync(string? database = null, CancellationToken cancellationToken = default) =>
        QueryAsync(database is null ? "RESUME" : $"RESUME {QuoteIdentifier(database)}", cancellationToken);

    /// <summary>
    /// Sends SHUTDOWN on a session of its own and closes it at once. The wait modes need PgBouncer 1.23+
    /// (<paramref name="version"/>); older versions throw <see cref="NotSupportedException"/>.
    /// </summary>
    public async Task ShutdownAsync(ShutdownMode mode, PgBouncerVersion version, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(version);
        var command = mode switch
        {
            ShutdownMode.Immediate => "SHUTDOWN",
            ShutdownMode.WaitForServers when version.SupportsGracefulShutdownCommands => "SHUTDOWN WAIT_FOR_SERVERS",
            ShutdownMode.WaitForClients when version.SupportsGracefulShutdownCommands => "SHUTDOWN WAIT_FOR_CLIENTS",
            _ => throw new NotSupportedException($"SHUTDOWN {mode} needs PgBouncer 1.23 or later (running {version})"),
        };
        await using var connection = await AdminConnection.OpenAsync(Endpoint, cancellationToken);
        await connection.ExecuteFinalAsync(command, cancellationToken);
    }

    public static async Task<PgBouncerVersion> ShowVersionAsync(AdminConnection connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var result = await connection.QueryAsync("SHOW VERSION", cancellationToken);
        var text = result.Rows.Count > 0 ? result.Rows[0][0] : result.Notices.Select(n => n.Message).FirstOrDefault();
        return PgBouncerVersion.TryParse(text, out var version)
            ? version
            : throw new PgBouncerAdminException($"SHOW VERSION returned no version ('{text}')");
    }

    public static async Task<IReadOnlyList<PoolStatus>> ShowPoolsAsync(AdminConnection connection, CancellationToken cancellationToken) =>
        Map(await Connection(connection).QueryAsync("SHOW POOLS", cancellationToken), PoolStatus.From);

    public static async Task<IReadOnlyList<DatabaseStatsTotals>> ShowStatsTotalsAsync(AdminConnection connection, CancellationToken cancellationToken) =>
        Map(await Connection(connection).QueryAsync("SHOW STATS_TOTALS", cancellationToken), DatabaseStatsTotals.From);

    public static async Task<IReadOnlyList<DatabaseStatus>> ShowDatabasesAsync(AdminConnection connection, CancellationToken cancellationToken) =>
        Map(await Connection(connection).QueryAsync("SHOW DATABASES", cancellationToken), DatabaseStatus.From);

    public static async Task<IReadOnlyDictionary<string, long>> ShowListsAsync(AdminConnection connection, CancellationToken cancellationToken)
    {
        var result = await Connection(connection).QueryAsync("SHOW LISTS", cancellationToken);
        var lists = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var row in result.Rows)
        {
            lists[row.GetString("list")] = row.GetInt64("items");
        }

        return lists;
    }

    public static async Task<IReadOnlyList<ClientConnection>> ShowClientsAsync(AdminConnection connection, CancellationToken cancellationToken) =>
        Map(await Connection(connection).QueryAsync("SHOW CLIENTS", cancellationToken), ClientConnection.From);

    public static async Task<IReadOnlyList<ConfigSetting>> ShowConfigAsync(AdminConnection connection, CancellationToken cancellationToken) =>
        Map(await Connection(connection).QueryAsync("SHOW CONFIG", cancellationToken), ConfigSetting.From);

    private static AdminConnection Connection(AdminConnection connection) =>
        connection ?? throw new ArgumentNullException(nameof(connection));

    private static IReadOnlyList<T> Map<T>(AdminQueryResult result, Func<AdminRow, T> map) => [.. result.Rows.Select(map)];

    private static string QuoteIdentifier(string name) =>
        name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_')
            ? name
            : throw new ArgumentException($"database name '{name}' cannot be used in an admin command", nameof(name));
}
