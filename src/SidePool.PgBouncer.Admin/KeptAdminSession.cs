namespace SidePool.PgBouncer.Admin;

/// <summary>
/// One admin console session kept open between uses (e.g. metrics scrapes), so a use costs its queries and not a
/// login (a SCRAM login is several round trips and the bulk of a scrape). Uses are serialized. A session that broke
/// (PgBouncer restarted, a timeout cut a command short) is dropped and the use retried once on a fresh session; a
/// different endpoint (new credentials after a reload) opens a new session.
/// </summary>
/// <remarks>
/// An open admin session is a PgBouncer client: <c>SHUTDOWN WAIT_FOR_CLIENTS</c> (1.23+) would wait for it forever.
/// Call <see cref="CloseAsync"/> before any shutdown or drain: it waits for a use in progress, closes the session, and
/// from then on every use runs on a session of its own that is closed before the use returns.
/// </remarks>
public sealed class KeptAdminSession(string applicationName) : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private AdminConnection? _connection;
    private AdminEndpoint? _endpoint;
    private bool _closed;
    private long _opened;

    /// <summary>The <c>application_name</c> of the kept session (it shows in <c>SHOW CLIENTS</c>).</summary>
    public string ApplicationName { get; } = applicationName;

    /// <summary>How many sessions were opened (logins) so far.</summary>
    public long SessionsOpened => Interlocked.Read(ref _opened);

    /// <summary>True once <see cref="CloseAsync"/> ran.</summary>
    public bool IsClosed => Volatile.Read(ref _closed);

    /// <summary>Runs <paramref name="operation"/> on the kept session (opened on <paramref name="endpoint"/> when needed).</summary>
    public async Task<T> RunAsync<T>(AdminEndpoint endpoint, Func<AdminConnection, CancellationToken, Task<T>> operation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(operation);
        endpoint = endpoint with { ApplicationName = ApplicationName };
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_closed)
            {
                await using var once = await OpenAsync(endpoint, cancellationToken);
                return await operation(once, cancellationToken);
            }

            if (_connection is { } kept && (kept.IsBroken || _endpoint != endpoint))
            {
                await DropAsync();
            }

            var reused = _connection is not null;
            try
            {
                return await operation(await KeptAsync(endpoint, cancellationToken), cancellationToken);
            }
            catch (Exception e) when (e is not PgBouncerAdminException { SqlState: not null })
            {
                // the session's state is unknown now (an error of PgBouncer's own, with a SQLSTATE, leaves it usable)
                var broken = _connection?.IsBroken == true;
                await DropAsync();
                if (!reused || !broken || cancellationToken.IsCancellationRequested)
                {
                    throw;
                }
            }

            // the kept session had died since its last use (PgBouncer restarted): once more on a fresh one
            return await operation(await KeptAsync(endpoint, cancellationToken), cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Closes the kept session (waiting for a use in progress); later uses each open and close their own.</summary>
    public async Task CloseAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            Volatile.Write(ref _closed, true);
            await DropAsync();
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await CloseAsync();
        _gate.Dispose();
    }

    private async Task<AdminConnection> KeptAsync(AdminEndpoint endpoint, CancellationToken cancellationToken)
    {
        if (_connection is null)
        {
            _connection = await OpenAsync(endpoint, cancellationToken);
            _endpoint = endpoint;
        }

        return _connection;
    }

    private async Task<AdminConnection> OpenAsync(AdminEndpoint endpoint, CancellationToken cancellationToken)
    {
        var connection = await AdminConnection.OpenAsync(endpoint, cancellationToken);
        Interlocked.Increment(ref _opened);
        return connection;
    }

    private async Task DropAsync()
    {
        if (_connection is { } connection)
        {
            _connection = null;
            _endpoint = null;
            await connection.DisposeAsync();
        }
    }
}
