using Npgsql;
using SidePool.Api;
using SidePool.Contract;
using SidePool.Testing;

namespace SidePool.Core.Tests;

/// <summary>A real PgBouncer running on a pool's rendered files, in a temp dir that holds the files and the socket.</summary>
internal sealed class RunningPool : IAsyncDisposable
{
    private readonly TestDirectory _directory;

    private RunningPool(TestDirectory directory, RenderedPool rendered, PgBouncerProcess process)
    {
        _directory = directory;
        Rendered = rendered;
        Process = process;
    }

    public RenderedPool Rendered { get; }

    public PgBouncerProcess Process { get; }

    public int Port => Process.Port;

    public string Directory => _directory.FullPath;

    /// <summary>Renders the pool with its sidecar port replaced by a free one, writes the files and starts PgBouncer.</summary>
    public static async Task<RunningPool> StartAsync(ConnectionPool pool, PoolCredentials credentials, PoolKey? secrets = null)
    {
        var port = FreePort.Next();
        pool = pool.With(s => s with { Sidecar = s.Sidecar with { Port = port } });
        var directory = new TestDirectory("pgb");
        try
        {
            var keys = secrets ?? Pools.Secrets;
            var config = PoolRenderer.Render(pool, credentials, Pools.Client with { Username = credentials.Username }, keys, new RenderLayout { ConfigDirectory = directory.FullPath, SocketDirectory = directory.FullPath });
            var rendered = PoolRenderer.Finish(config, new string('0', 64), "test", keys);
            WriteFiles(directory, rendered);
            var process = await PgBouncerProcess.StartAsync(directory.PathOf(VersionContract.Files.Ini), port);
            return new RunningPool(directory, rendered, process);
        }
        catch
        {
            directory.Dispose();
            throw;
        }
    }

    public static void WriteFiles(TestDirectory directory, RenderedPool rendered)
    {
        foreach (var (name, content) in rendered.Files)
        {
            directory.WriteFile(name, content);
        }
    }

    /// <summary>Npgsql over TCP loopback, one physical connection per open (no client-side pooling).</summary>
    public string ConnectionString(string database = "orders", string user = "app", string? password = null, int timeoutSeconds = 15) =>
        new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = Port,
            Database = database,
            Username = user,
            Password = password,
            Pooling = false,
            Timeout = timeoutSeconds,
            CommandTimeout = 60,
            NoResetOnClose = true,
        }.ConnectionString;

    public string SocketConnectionString(string database = "orders", string user = "app") =>
        new NpgsqlConnectionStringBuilder { Host = Directory, Port = Port, Database = database, Username = user, Pooling = false }.ConnectionString;

    /// <summary>Runs an admin console command as the agent would (over the socket, SCRAM) with psql; returns unaligned rows.</summary>
    public Task<string> AdminAsync(string command, string? host = null) => Psql.RunAsync(host ?? Directory, Port, VersionContract.AdminUser, Pools.Secrets.AdminPassword, "pgbouncer", command);

    public async ValueTask DisposeAsync()
    {
        await Process.DisposeAsync();
        _directory.Dispose();
    }
}
