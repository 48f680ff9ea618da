namespace SidePool.PgBouncer.Admin;

/// <summary>
/// Where and as whom to reach PgBouncer's admin console: over the unix socket
/// <c>&lt;SocketDirectory&gt;/.s.PGSQL.&lt;Port&gt;</c> when <see cref="SocketDirectory"/> is set, over TCP otherwise.
/// </summary>
public sealed record AdminEndpoint
{
    public string? SocketDirectory { get; init; }

    public string Host { get; init; } = "127.0.0.1";

    public required int Port { get; init; }

    public required string User { get; init; }

    /// <summary>Needed for cleartext, MD5 and SCRAM authentication; never printed.</summary>
    public string? Password { get; init; }

    /// <summary>
    /// Tried once when PgBouncer refuses <see cref="Password"/> at login: while its auth file changes (a RELOAD
    /// with a new admin password), the console accepts the old or the new password, depending on the moment.
    /// </summary>
    public string? AlternatePassword { get; init; }

    public string Database { get; init; } = "pgbouncer";

    public string ApplicationName { get; init; } = "sidepool-agent";

    /// <summary>Time allowed to connect and authenticate.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    public string SocketPath => Path.Combine(SocketDirectory ?? "", $".s.PGSQL.{Port}");

    public static AdminEndpoint UnixSocket(string socketDirectory, int port, string user, string? password) =>
        new() { SocketDirectory = socketDirectory, Port = port, User = user, Password = password };

    public static AdminEndpoint Tcp(string host, int port, string user, string? password) =>
        new() { Host = host, Port = port, User = user, Password = password };

    /// <summary>Describes the endpoint without its password.</summary>
    public override string ToString() =>
        SocketDirectory is null ? $"{User}@{Host}:{Port}/{Database}" : $"{User}@{SocketPath}/{Database}";
}
