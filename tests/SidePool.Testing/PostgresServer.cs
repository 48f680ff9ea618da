using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Npgsql;

namespace SidePool.Testing;

/// <summary>Options for a throw-away PostgreSQL server.</summary>
public sealed record PostgresOptions
{
    /// <summary>Serve TLS with a fresh self-signed certificate.</summary>
    public bool Tls { get; init; }

    /// <summary>Refuse TCP clients that do not use TLS (<c>hostssl</c> only).</summary>
    public bool TlsOnly { get; init; }

    public int MaxConnections { get; init; } = 100;

    /// <summary>Loopback address to listen on (any of 127.0.0.0/8), e.g. to run a replica on the primary's port.</summary>
    public string ListenAddress { get; init; } = "127.0.0.1";

    /// <summary>TCP port; 0 picks a free one.</summary>
    public int Port { get; init; }

    /// <summary>
    /// Roles other than the superuser need their SCRAM password over the unix socket too (as a database reached
    /// through a socket forwarder, e.g. from a sandbox pod, should); the superuser stays trusted there.
    /// </summary>
    public bool PasswordsOverSocket { get; init; }
}

/// <summary>
/// A real PostgreSQL server (initdb in a temp dir, random loopback port, run as the <c>postgres</c> user when
/// root). Unix-socket connections as the superuser are trusted; TCP connections need SCRAM passwords.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private readonly TestDirectory _directory;
    private readonly PostgresOptions _options;
    private ManagedProcess? _process;

    private PostgresServer(TestDirectory directory, PostgresOptions options, int port)
    {
        _directory = directory;
        _options = options;
        Port = port;
    }

    public string Host => _options.ListenAddress;

    public int Port { get; }

    /// <summary>Directory holding the server's unix socket.</summary>
    public string SocketDirectory => _directory.PathOf("sock");

    public string DataDirectory => _directory.PathOf("data");

    /// <summary>PEM of the self-signed server certificate when <see cref="PostgresOptions.Tls"/> is set.</summary>
    public string? CertificatePem { get; private set; }

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Superuser connection string over the unix socket.</summary>
    public string SuperuserConnectionString =>
        new NpgsqlConnectionStringBuilder { Host = SocketDirectory, Port = Port, Username = "postgres", Database = "postgres", Pooling = false }.ConnectionString;

    public static async Task<PostgresServer> StartAsync(PostgresOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new PostgresOptions();
        var directory = new TestDirectory("pg");
        var server = new PostgresServer(directory, options, options.Port != 0 ? options.Port : FreePort.Next());
        try
        {
            await server.InitAsync(cancellationToken);
            await server.StartProcessAsync(cancellationToken);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Creates a login role with a SCRAM password.</summary>
    public Task CreateRoleAsync(string name, string password, CancellationToken cancellationToken = default) =>
        ExecuteAsync($"CREATE ROLE \"{name}\" LOGIN PASSWORD '{password.Replace("'", "''", StringComparison.Ordinal)}'", cancellationToken);

    public Task CreateDatabaseAsync(string name, string owner, CancellationToken cancellationToken = default) =>
        ExecuteAsync($"CREATE DATABASE \"{name}\" OWNER \"{owner}\"", cancellationToken);

    public async Task ExecuteAsync(string sql, CancellationToken cancellationToken = default)
    {
        await using var connection = new NpgsqlConnection(SuperuserConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<T?> QueryScalarAsync<T>(string sql, string database = "postgres", CancellationToken cancellationToken = default)
    {
        var builder = new NpgsqlConnectionStringBuilder(SuperuserConnectionString) { Database = database };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        var result = await command.ExecuteScalarAsync(cancellationToken);
        return result is null or DBNull ? default : (T)result;
    }

    /// <summary>Fast shutdown (SIGINT); the data directory is kept so <see cref="StartAgainAsync"/> works.</summary>
    public async Task StopAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Signal(PosixSignalNumber.Int);
            if (!await process.WaitForExitAsync(TimeSpan.FromSeconds(30)))
            {
                process.Signal(PosixSignalNumber.Kill);
            }
        }

        if (_process is not null)
        {
            await _process.DisposeAsync();
            _process = null;
        }
    }

    public Task StartAgainAsync(CancellationToken cancellationToken = default) => StartProcessAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _directory.Dispose();
    }

    private async Task InitAsync(CancellationToken cancellationToken)
    {
        _directory.CreateSubdirectory("sock");
        await ServiceUser.RunAsync(
            Binaries.Postgres("initdb"),
            ["-D", DataDirectory, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync", "--locale=C"],
            cancellationToken);

        var hba = _options.PasswordsOverSocket ? "local all postgres trust\nlocal all all scram-sha-256\n" : "local all all trust\n";
        var hostKind = _options.TlsOnly ? "hostssl" : "host";
        hba += $"{hostKind} all all 127.0.0.0/8 scram-sha-256\n{hostKind} all all ::1/128 scram-sha-256\n";
        _directory.WriteFile("data/pg_hba.conf", hba);

        if (_options.Tls)
        {
            using var key = RSA.Create(2048);
            var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            var san = new SubjectAlternativeNameBuilder();
            san.AddDnsName("localhost");
            san.AddIpAddress(System.Net.IPAddress.Loopback);
            request.CertificateExtensions.Add(san.Build());
            using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
            CertificatePem = certificate.ExportCertificatePem();
            _directory.WriteFile("data/server.crt", CertificatePem);
            _directory.WriteFile("data/server.key", key.ExportPkcs8PrivateKeyPem());
        }
    }

    private async Task StartProcessAsync(CancellationToken cancellationToken)
    {
        var args = new List<string>
        {
            "-D", DataDirectory, "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-k", SocketDirectory, "-c", $"listen_addresses={_options.ListenAddress}",
            "-c", $"max_connections={_options.MaxConnections}", "-c", "fsync=off", "-c", "synchronous_commit=off",
            "-c", "full_page_writes=off", "-c", "shared_buffers=16MB", "-c", "logging_collector=off",
        };
        if (_options.Tls)
        {
            args.AddRange(["-c", "ssl=on", "-c", "ssl_cert_file=server.crt", "-c", "ssl_key_file=server.key"]);
        }

        _process = ManagedProcess.Start(Binaries.Postgres("postgres"), args);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"postgres exited with {_process.ExitCode}:\n{_process.Output}");
            }

            try
            {
                await using var connection = new NpgsqlConnection(SuperuserConnectionString);
                await connection.OpenAsync(cancellationToken);
                return;
            }
            catch (Exception e) when (e is NpgsqlException or System.Net.Sockets.SocketException && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50, cancellationToken);
            }
        }
    }
}
