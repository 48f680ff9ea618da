using System.Globalization;
using SidePool.Testing;

namespace SidePool.PgBouncer.Admin.Tests;

/// <summary>A real PgBouncer in front of the fixture's server with a chosen admin authentication method.</summary>
internal sealed class BouncerInstance : IAsyncDisposable
{
    public const string AdminUser = "pool-admin";
    public const string AdminPassword = "adm\"in-pass";

    private readonly TestDirectory _directory;

    private BouncerInstance(TestDirectory directory, PgBouncerProcess process, int port)
    {
        _directory = directory;
        Process = process;
        Port = port;
    }

    public PgBouncerProcess Process { get; }

    public int Port { get; }

    public string SocketDirectory => _directory.PathOf("sock");

    public AdminEndpoint SocketEndpoint(string? password = AdminPassword) => AdminEndpoint.UnixSocket(SocketDirectory, Port, AdminUser, password);

    public AdminEndpoint TcpEndpoint(string? password = AdminPassword) => AdminEndpoint.Tcp("127.0.0.1", Port, AdminUser, password);

    public PgBouncerAdminClient Client() => new(SocketEndpoint());

    public string AppConnectionString => $"Host=127.0.0.1;Port={Port};Database={PostgresFixture.Database};Username={PostgresFixture.AppUser};Password={PostgresFixture.AppPassword};Pooling=false;Max Auto Prepare=0";

    /// <summary>Starts PgBouncer; <paramref name="authType"/> is PgBouncer's auth_type for everyone (trust, plain, md5, scram-sha-256).</summary>
    public static async Task<BouncerInstance> StartAsync(PostgresServer server, string authType, string poolMode = "transaction")
    {
        var directory = new TestDirectory("pgb");
        directory.CreateSubdirectory("sock");
        var port = FreePort.Next();
        directory.WriteFile("userlist.txt", string.Join('\n',
            $"\"{AdminUser}\" \"{AdminPassword.Replace("\"", "\"\"", StringComparison.Ordinal)}\"",
            $"\"{PostgresFixture.AppUser}\" \"{PostgresFixture.AppPassword}\"",
            ""));
        var ini = string.Create(CultureInfo.InvariantCulture, $"""
            [databases]
            {PostgresFixture.Database} = host=127.0.0.1 port={server.Port} dbname={PostgresFixture.Database}

            [pgbouncer]
            listen_addr = 127.0.0.1
            listen_port = {port}
            unix_socket_dir = {directory.PathOf("sock")}
            auth_type = {authType}
            auth_file = {directory.PathOf("userlist.txt")}
            admin_users = {AdminUser}
            pool_mode = {poolMode}
            default_pool_size = 5
            max_client_conn = 150

            """);
        var iniPath = directory.WriteFile("pgbouncer.ini", ini);
        var process = await PgBouncerProcess.StartAsync(iniPath, port);
        return new BouncerInstance(directory, process, port);
    }

    public async ValueTask DisposeAsync()
    {
        await Process.DisposeAsync();
        _directory.Dispose();
    }
}
