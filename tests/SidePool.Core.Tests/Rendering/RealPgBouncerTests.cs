using System.Collections.Concurrent;
using System.Diagnostics;
using Npgsql;
using SidePool.Api;
using SidePool.Testing;
using Xunit;

namespace SidePool.Core.Tests;

/// <summary>The rendered configuration served by a real PgBouncer 1.18 in front of a real PostgreSQL 15.</summary>
[Collection(PostgresCollection.Name)]
public sealed class RealPgBouncerTests(PostgresFixture postgres)
{
    private ConnectionPool Pool(Func<ConnectionPoolSpec, ConnectionPoolSpec>? change = null) =>
        Pools.Pool(change, postgres.Server.Host, postgres.Server.Port);

    private static async Task<object?> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }

    [Fact]
    public async Task TransactionModeServesManyClientsOnFewServerConnections()
    {
        await using var pool = await RunningPool.StartAsync(Pool(s => s with { Pool = s.Pool with { Size = 2 } }), Pools.Credentials);
        var serverPids = new ConcurrentDictionary<int, bool>();
        var clients = Enumerable.Range(0, 20).Select(async _ =>
        {
            await using var connection = new NpgsqlConnection(pool.ConnectionString());
            await connection.OpenAsync();
            for (var i = 0; i < 5; i++)
            {
                await using var tx = await connection.BeginTransactionAsync();
                await using var command = new NpgsqlCommand("select pg_backend_pid() from pg_sleep(0.01)", connection, tx);
                serverPids[(int)(await command.ExecuteScalarAsync())!] = true;
                await tx.CommitAsync();
            }
        });
        await Task.WhenAll(clients);

        // 20 clients x 5 transactions all succeeded, over at most default_pool_size server connections.
        Assert.InRange(serverPids.Count, 1, 2);
    }

    [Fact]
    public async Task ClientBeyondMaxClientConnectionsIsRefusedOthersKeepWorking()
    {
        await using var pool = await RunningPool.StartAsync(Pool(s => s with { Pool = s.Pool with { MaxClientConnections = 5 } }), Pools.Credentials);
        var open = new List<NpgsqlConnection>();
        try
        {
            for (var i = 0; i < 5; i++)
            {
                var c = new NpgsqlConnection(pool.ConnectionString());
                await c.OpenAsync();
                open.Add(c);
            }

            await using var extra = new NpgsqlConnection(pool.ConnectionString());
            var error = await Assert.ThrowsAnyAsync<PostgresException>(() => extra.OpenAsync());
            Assert.Contains("no more connections allowed (max_client_conn)", error.MessageText, StringComparison.Ordinal);

            foreach (var c in open)
            {
                await using var command = new NpgsqlCommand("select 1", c);
                Assert.Equal(1, await command.ExecuteScalarAsync());
            }
        }
        finally
        {
            foreach (var c in open)
            {
                await c.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task WaitingClientFailsAfterAcquisitionTimeout()
    {
        await using var pool = await RunningPool.StartAsync(
            Pool(s => s with { Pool = s.Pool with { Size = 1, AcquisitionTimeout = "1s" } }), Pools.Credentials);
        await using var holder = new NpgsqlConnection(pool.ConnectionString());
        await holder.OpenAsync();
        await using var tx = await holder.BeginTransactionAsync();
        await using (var hold = new NpgsqlCommand("select 1", holder, tx))
        {
            await hold.ExecuteScalarAsync();
        }

        await using var waiter = new NpgsqlConnection(pool.ConnectionString());
        await waiter.OpenAsync();
        var clock = Stopwatch.StartNew();
        var error = await Assert.ThrowsAnyAsync<PostgresException>(async () =>
        {
            await using var command = new NpgsqlCommand("select 1", waiter);
            await command.ExecuteScalarAsync();
        });
        Assert.Contains("query_wait_timeout", error.MessageText, StringComparison.Ordinal);
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(0.9), $"failed after {clock.Elapsed}, before the timeout");

        // The holder still owns its server connection.
        await using var still = new NpgsqlCommand("select 2", holder, tx);
        Assert.Equal(2, await still.ExecuteScalarAsync());
    }

    [Fact]
    public async Task AClientIdleInATransactionIsClosedAfterIdleTransactionTimeoutAndItsServerFreed()
    {
        await using var pool = await RunningPool.StartAsync(
            Pool(s => s with { Pool = s.Pool with { Size = 1, IdleTransactionTimeout = "1s", AcquisitionTimeout = "10s" } }), Pools.Credentials);
        await using var leaker = new NpgsqlConnection(pool.ConnectionString());
        await leaker.OpenAsync();
        await using var tx = await leaker.BeginTransactionAsync();
        await using (var first = new NpgsqlCommand("select 1", leaker, tx))
        {
            await first.ExecuteScalarAsync(); // BEGIN reaches the server: the one server connection is held
        }

        // Another client gets the only server connection once PgBouncer closed the idle transaction (about 1 s;
        // PgBouncer's janitor looks once a second).
        Assert.Equal(2, await ScalarAsync(pool.ConnectionString(), "select 2"));

        var error = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var late = new NpgsqlCommand("select 3", leaker, tx);
            await late.ExecuteScalarAsync();
        });
        Assert.True(error is NpgsqlException or InvalidOperationException, $"the leaking client got {error.GetType().Name}: {error.Message}");
    }

    [Fact]
    public async Task ReadOnlyDatabaseReachesTheReadOnlyHost()
    {
        // A replica on another loopback address with the primary's port (readOnlyHost shares backend.port).
        await using var replica = await PostgresServer.StartAsync(new PostgresOptions { ListenAddress = "127.0.0.2", Port = postgres.Server.Port });
        await replica.CreateRoleAsync(Pools.Credentials.Username, Pools.Credentials.Password);
        await replica.CreateDatabaseAsync("orders", Pools.Credentials.Username);
        await using var pool = await RunningPool.StartAsync(Pool(s => s with { Backend = s.Backend! with { ReadOnlyHost = "127.0.0.2" } }), Pools.Credentials);

        Assert.Equal("127.0.0.2/32", (await ScalarAsync(pool.ConnectionString("orders_ro"), "select inet_server_addr()::text"))?.ToString());
        Assert.Equal("127.0.0.1/32", (await ScalarAsync(pool.ConnectionString("orders"), "select inet_server_addr()::text"))?.ToString());
    }

    [Fact]
    public async Task TlsRequireConnectsToATlsOnlyServer()
    {
        await using var tlsServer = await PostgresServer.StartAsync(new PostgresOptions { Tls = true, TlsOnly = true });
        await tlsServer.CreateRoleAsync(Pools.Credentials.Username, Pools.Credentials.Password);
        await tlsServer.CreateDatabaseAsync("orders", Pools.Credentials.Username);

        await using (var pool = await RunningPool.StartAsync(
            Pools.Pool(s => s with { Backend = s.Backend! with { Tls = new BackendTls { Mode = "require" } } }, tlsServer.Host, tlsServer.Port), Pools.Credentials))
        {
            Assert.Equal(true, await ScalarAsync(pool.ConnectionString(), "select ssl from pg_stat_ssl where pid = pg_backend_pid()"));
        }

        // Control: the same server refuses the pooler when TLS is disabled.
        await using var plain = await RunningPool.StartAsync(
            Pools.Pool(s => s with { Backend = s.Backend! with { Tls = new BackendTls { Mode = "disable" } }, Pool = s.Pool with { AcquisitionTimeout = "2s" } }, tlsServer.Host, tlsServer.Port),
            Pools.Credentials);
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => ScalarAsync(plain.ConnectionString(), "select 1"));
    }

    [Fact]
    public async Task UnixSocketServesClients()
    {
        await using var pool = await RunningPool.StartAsync(Pool(), Pools.Credentials);
        Assert.Equal("app", await ScalarAsync(pool.SocketConnectionString(), "select current_user"));
    }

    [Fact]
    public async Task TrustNeedsNoPasswordOnLoopback()
    {
        await using var pool = await RunningPool.StartAsync(Pool(), Pools.Credentials);
        Assert.Equal("app", await ScalarAsync(pool.ConnectionString(), "select current_user"));
    }

    [Fact]
    public async Task ScramClientsLogInWithTheClientPasswordAndTheServerWithTheBackendPassword()
    {
        await using var pool = await RunningPool.StartAsync(Pool(s => s with { Sidecar = s.Sidecar with { ClientAuth = "scram" } }), Pools.Credentials);
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => ScalarAsync(pool.ConnectionString(), "select 1"));
        var wrong = await Assert.ThrowsAnyAsync<PostgresException>(() => ScalarAsync(pool.ConnectionString(password: "nope"), "select 1"));
        Assert.Equal("08P01", wrong.SqlState);

        // The backend password is the server's business only: apps cannot use it to log in to the pooler.
        var backend = await Assert.ThrowsAnyAsync<PostgresException>(() => ScalarAsync(pool.ConnectionString(password: Pools.Credentials.Password), "select 1"));
        Assert.Equal("08P01", backend.SqlState);
        Assert.Equal("app", await ScalarAsync(pool.ConnectionString(password: Pools.Client.Password), "select current_user"));
    }

    [Theory]
    [InlineData("it's")]
    [InlineData("sp ace;#=x")]
    [InlineData("back\\slash'' and ''quotes''")]
    [InlineData("'")]
    public async Task BackendPasswordsWithQuotesSpacesAndCommentCharactersLogInToTheServer(string password)
    {
        var user = "u" + Guid.NewGuid().ToString("N")[..8];
        await postgres.Server.CreateRoleAsync(user, password);
        await postgres.Server.ExecuteAsync($"GRANT CONNECT ON DATABASE orders TO \"{user}\"");
        await using var pool = await RunningPool.StartAsync(Pool(), new PoolCredentials(user, password));
        Assert.Equal(user, await ScalarAsync(pool.ConnectionString(user: user), "select current_user"));
    }

    [Fact]
    public async Task AdminConsoleOnlyForTheAgentOverTheSocket()
    {
        await using var pool = await RunningPool.StartAsync(Pool(), Pools.Credentials);
        Assert.StartsWith("PgBouncer 1.", await pool.AdminAsync("SHOW VERSION"), StringComparison.Ordinal);

        // Not over TCP, even with the right password; not for another user over the socket.
        var tcp = await Assert.ThrowsAsync<PsqlException>(() => pool.AdminAsync("SHOW VERSION", host: "127.0.0.1"));
        Assert.Contains("login rejected", tcp.Message, StringComparison.Ordinal);
        var other = await Assert.ThrowsAsync<PsqlException>(() => Psql.RunAsync(pool.Directory, pool.Port, "app", null, "pgbouncer", "SHOW VERSION"));
        Assert.Matches("FATAL:  (login rejected|not allowed)", other.Message);
    }

    [Fact]
    public async Task RenderedSettingsAreWhatPgBouncerRuns()
    {
        await using var pool = await RunningPool.StartAsync(
            Pool(s => s with { Pool = s.Pool with { Mode = "session", Size = 7, MaxClientConnections = 33, Parameters = new Dictionary<string, string> { ["server_check_query"] = "x" }.Where(_ => false).ToDictionary() } }),
            Pools.Credentials);
        var config = (await pool.AdminAsync("SHOW CONFIG")).Split('\n').Select(l => l.Split('|')).ToDictionary(f => f[0], f => f[1]);
        Assert.Equal("session", config["pool_mode"]);
        Assert.Equal("7", config["default_pool_size"]);
        Assert.Equal("33", config["max_client_conn"]);
        Assert.Equal("DISCARD ALL", config["server_reset_query"]);
        Assert.Equal("select 1", config["server_check_query"]);
    }
}
