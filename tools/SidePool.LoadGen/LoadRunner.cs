using System.Diagnostics;
using System.Security.Cryptography;
using Npgsql;

namespace SidePool.LoadGen;

/// <summary>
/// The workers: each loops "open a connection when it has none (or after <see cref="LoadGenOptions.ReconnectEvery"/>
/// transactions), run one short transaction, pause" until <c>stopping</c> is cancelled, and never starts a
/// transaction after that; the one running finishes unless <c>abort</c> is cancelled too. Counts and failures go
/// to the <see cref="JsonLineWriter"/>.
/// </summary>
internal sealed class LoadRunner(LoadGenOptions options, JsonLineWriter output)
{
    public const string Table = "sidepool_loadgen";
    public const string ApplicationName = "sidepool-loadgen";

    private const string CreateTable =
        $"CREATE TABLE IF NOT EXISTS {Table} (id text PRIMARY KEY, n bigint NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())";

    private const string Select = $"SELECT n FROM {Table} WHERE id = $1";

    private const string Upsert =
        $"INSERT INTO {Table} (id, n) VALUES ($1, 1) ON CONFLICT (id) DO UPDATE SET n = {Table}.n + 1, updated_at = now()";

    private readonly SemaphoreSlim _setup = new(1, 1);
    private readonly string _run = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
    private volatile bool _tableReady;
    private long _ok;
    private long _failed;
    private long _connects;

    public async Task RunAsync(CancellationToken stopping, CancellationToken abort)
    {
        var started = Stopwatch.GetTimestamp();
        output.Write(
            new StartLine(Now(), options.Database.Redacted, _run, options.Workers, (int)options.Pause.TotalMilliseconds, options.ReconnectEvery),
            OutputJson.Default.StartLine);

        var builder = new NpgsqlSlimDataSourceBuilder(options.Database.ToConnectionString(ApplicationName));
        builder.EnableTransportSecurity();
        builder.ConfigureTypeLoading(types => types.EnableTypeLoading(false));
        await using var dataSource = builder.Build();

        var workers = Task.WhenAll(Enumerable.Range(1, options.Workers).Select(worker => Task.Run(() => WorkAsync(worker, dataSource, stopping, abort), CancellationToken.None)));
        using (var ticker = new PeriodicTimer(TimeSpan.FromSeconds(1)))
        {
            while (await Task.WhenAny(workers, ticker.WaitForNextTickAsync(CancellationToken.None).AsTask()) != workers)
            {
                output.Write(new StatsLine(Now(), Interlocked.Read(ref _ok), Interlocked.Read(ref _failed), Interlocked.Read(ref _connects)), OutputJson.Default.StatsLine);
            }
        }

        await workers;
        output.Write(
            new FinalLine(Now(), Interlocked.Read(ref _ok), Interlocked.Read(ref _failed), Interlocked.Read(ref _connects), Math.Round(Stopwatch.GetElapsedTime(started).TotalSeconds, 3)),
            OutputJson.Default.FinalLine);
    }

    private async Task WorkAsync(int worker, NpgsqlDataSource dataSource, CancellationToken stopping, CancellationToken abort)
    {
        var key = $"{_run}/{worker}";
        NpgsqlConnection? connection = null;
        var transactionsOnConnection = 0;
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                var phase = "connect";
                TimeSpan pause;
                try
                {
                    if (connection is not null && options.ReconnectEvery > 0 && transactionsOnConnection >= options.ReconnectEvery)
                    {
                        await connection.DisposeAsync();
                        connection = null;
                    }

                    if (connection is null)
                    {
                        connection = await dataSource.OpenConnectionAsync(abort);
                        transactionsOnConnection = 0;
                        Interlocked.Increment(ref _connects);
                    }

                    if (!_tableReady)
                    {
                        phase = "setup";
                        await EnsureTableAsync(connection, abort);
                    }

                    phase = "transaction";
                    await TransactionAsync(connection, key, abort);
                    transactionsOnConnection++;
                    Interlocked.Increment(ref _ok);
                    pause = options.Pause;
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    Interlocked.Increment(ref _failed);
                    var (error, sqlState) = Describe(e, abort);
                    output.Write(new FailureLine(Now(), error, sqlState, worker, phase), OutputJson.Default.FailureLine);
                    if (connection is not null)
                    {
                        await DisposeQuietlyAsync(connection);
                        connection = null;
                    }

                    pause = options.RetryDelay;
                }

                try
                {
                    await Task.Delay(pause, stopping);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
        finally
        {
            if (connection is not null)
            {
                await DisposeQuietlyAsync(connection);
            }
        }
    }

    /// <summary>Creates the table once per process; another process creating it at the same moment is fine.</summary>
    private async Task EnsureTableAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await _setup.WaitAsync(cancellationToken);
        try
        {
            if (_tableReady)
            {
                return;
            }

            await using var command = new NpgsqlCommand(CreateTable, connection);
            try
            {
                await command.ExecuteNonQueryAsync(cancellationToken);
            }
            catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.DuplicateTable)
            {
                // CREATE TABLE IF NOT EXISTS racing another process's: the table exists.
            }

            _tableReady = true;
        }
        finally
        {
            _setup.Release();
        }
    }

    private static async Task TransactionAsync(NpgsqlConnection connection, string key, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var select = new NpgsqlCommand(Select, connection, transaction))
        {
            select.Parameters.Add(new NpgsqlParameter { Value = key });
            await select.ExecuteScalarAsync(cancellationToken);
        }

        await using (var upsert = new NpgsqlCommand(Upsert, connection, transaction))
        {
            upsert.Parameters.Add(new NpgsqlParameter { Value = key });
            await upsert.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// The error text and SQLSTATE of a failure: the server's message for a server error, else the messages of the
    /// exception and its inner exceptions joined (Npgsql's "Failed to connect to 127.0.0.1:5432" says little
    /// without the socket's "Connection refused").
    /// </summary>
    internal static (string Error, string? SqlState) Describe(Exception exception, CancellationToken abort)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is PostgresException server)
            {
                return (server.MessageText, server.SqlState);
            }
        }

        if (exception is OperationCanceledException && abort.IsCancellationRequested)
        {
            return ("cancelled by a second signal", null);
        }

        var messages = new List<string>();
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (!string.IsNullOrWhiteSpace(e.Message) && !messages.Exists(m => m.Contains(e.Message, StringComparison.Ordinal)))
            {
                messages.Add(e.Message.Trim());
            }
        }

        return (messages.Count == 0 ? exception.GetType().Name : string.Join(": ", messages), (exception as NpgsqlException)?.SqlState);
    }

    private static async Task DisposeQuietlyAsync(NpgsqlConnection connection)
    {
        try
        {
            await connection.DisposeAsync();
        }
        catch (Exception e) when (e is NpgsqlException or IOException or System.Net.Sockets.SocketException or InvalidOperationException or TimeoutException)
        {
            // A broken connection is being thrown away.
        }
    }

    private static string Now() => JsonLineWriter.Timestamp(DateTimeOffset.UtcNow);
}
