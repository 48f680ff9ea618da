using System.Globalization;
using SidePool.Testing;

namespace SidePool.Bench;

/// <summary>
/// A central PgBouncer configured the way CloudNativePG's <c>Pooler</c> renders it
/// (cloudnative-pg <c>pkg/management/pgbouncer/config/config.go</c>: the ini, HBA and userlist templates, its default
/// and forced parameters; docs/benchmarks.md says what differs here and why), as a process of its own reached over TCP,
/// as applications reach a Pooler's Service:
/// <list type="bullet">
/// <item><c>[databases] * = host=…</c> with no user or password: PgBouncer logs in as the client, with the SCRAM secret
/// <c>auth_query</c> gave it (SCRAM pass-through).</item>
/// <item><c>auth_type = hba</c>, HBA <c>host all all 0.0.0.0/0 md5</c> (PgBouncer answers a SCRAM secret with SCRAM),
/// <c>local pgbouncer pgbouncer peer</c> for the admin console.</item>
/// <item><c>auth_user = cnpg_pooler_pgbouncer</c> (its password in <c>userlist.txt</c>, the basic-auth Secret variant)
/// and <c>auth_query = SELECT usename, passwd FROM public.user_search($1)</c>, a <c>SECURITY DEFINER</c> function.</item>
/// <item><c>pool_mode = session</c> (the Pooler's default), <c>log_stats = 0</c>,
/// <c>ignore_startup_parameters = extra_float_digits,options</c>, everything else PgBouncer's defaults
/// (<c>default_pool_size</c> 20, <c>max_client_conn</c> 100, connections logged).</item>
/// </list>
/// Differences, all forced by running on loopback with PgBouncer 1.18: TLS off on both sides (CloudNativePG:
/// <c>client_tls_sslmode = prefer</c>, <c>server_tls_sslmode = verify-ca</c>); <c>listen_addr = 127.0.0.1</c> (not
/// <c>*</c>) and a free port (not 5432); no <c>auth_dbname = postgres</c> (PgBouncer 1.20+), so the function lives in the
/// application database, where PgBouncer 1.18 runs <c>auth_query</c> (what CloudNativePG's docs say to do by hand).
/// </summary>
internal sealed class CentralPgBouncer : IAsyncDisposable
{
    public const string AuthUser = "cnpg_pooler_pgbouncer";
    private const string AuthPassword = "bench-pooler-password";
    private readonly TestDirectory _directory;
    private readonly PgBouncerProcess _process;

    private CentralPgBouncer(TestDirectory directory, PgBouncerProcess process)
    {
        _directory = directory;
        _process = process;
    }

    public int Port => _process.Port;

    /// <summary>The role, grants and function CloudNativePG's Pooler integration creates, then PgBouncer.</summary>
    public static async Task<CentralPgBouncer> StartAsync(PostgresServer postgres, string database, CancellationToken ct)
    {
        await postgres.ExecuteAsync($"CREATE ROLE {AuthUser} LOGIN PASSWORD '{AuthPassword}'", ct);
        await postgres.ExecuteAsync($"GRANT CONNECT ON DATABASE \"{database}\" TO {AuthUser}", ct);
        await ExecuteInAsync(postgres, database, """
            CREATE OR REPLACE FUNCTION public.user_search(uname TEXT)
              RETURNS TABLE (usename name, passwd text)
              LANGUAGE sql SECURITY DEFINER AS
              'SELECT usename, passwd FROM pg_catalog.pg_shadow WHERE usename=$1;';
            REVOKE ALL ON FUNCTION public.user_search(text) FROM public;
            """, ct);
        await ExecuteInAsync(postgres, database, $"GRANT EXECUTE ON FUNCTION public.user_search(text) TO {AuthUser}", ct);

        var directory = new TestDirectory("central");
        try
        {
            var port = FreePort.Next();
            var hba = directory.WriteFile("pg_hba.conf", """
                local pgbouncer pgbouncer peer

                host all all 0.0.0.0/0 md5
                host all all ::/0 md5
                """);
            var userList = directory.WriteFile("userlist.txt", $"\"{AuthUser}\" \"{AuthPassword}\"\n");
            var socketDirectory = directory.CreateSubdirectory("run");
            var ini = directory.WriteFile("pgbouncer.ini", string.Create(CultureInfo.InvariantCulture, $"""
                [databases]
                * = host={postgres.Host} port={postgres.Port}

                [pgbouncer]
                pool_mode = session
                auth_user = {AuthUser}
                auth_query = SELECT usename, passwd FROM public.user_search($1)

                admin_users = pgbouncer
                auth_file = {userList}
                auth_hba_file = {hba}
                auth_type = hba
                client_tls_sslmode = disable
                ignore_startup_parameters = extra_float_digits,options
                listen_addr = 127.0.0.1
                listen_port = {port}
                log_stats = 0
                server_tls_sslmode = disable
                unix_socket_dir = {socketDirectory}

                """));
            var process = await PgBouncerProcess.StartAsync(ini, port, ct);
            return new CentralPgBouncer(directory, process);
        }
        catch
        {
            directory.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        _directory.Dispose();
    }

    private static async Task ExecuteInAsync(PostgresServer postgres, string database, string sql, CancellationToken ct)
    {
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(postgres.SuperuserConnectionString) { Database = database };
        await using var connection = new Npgsql.NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync(ct);
        await using var command = new Npgsql.NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(ct);
    }
}
