using SidePool.Contract;

namespace SidePool.Core;

/// <summary>
/// What a sidecar gets for one pool: its files (the version Secret's data), the version hash (what needs new
/// pods) and the config revision (every rendered byte), both full SHA-256 hex.
/// </summary>
public sealed record RenderedPool
{
    public const string IniFile = "pgbouncer.ini";
    public const string UserListFile = "userlist.txt";
    public const string HbaFile = "pg_hba.conf";
    public const string AgentFile = "sidepool.json";
    public const string CaFile = "server-ca.crt";

    /// <summary>The client password applications log in with (secretKeyRef of PGPASSWORD under clientAuth scram).</summary>
    public const string ClientPasswordFile = "client-password";

    /// <summary>The URL to the sidecar with the client password (secretKeyRef of the URL variable under clientAuth scram).</summary>
    public const string DatabaseUrlFile = "database-url";

    /// <summary>The URL straight to the backend with the backend password (secretKeyRef of the direct URL variable).</summary>
    public const string DirectUrlFile = "database-url-direct";

    /// <summary>File name → content (the version Secret's data). Several hold passwords: never print them.</summary>
    public required IReadOnlyDictionary<string, string> Files { get; init; }

    public required string Version { get; init; }

    public required string ConfigRevision { get; init; }

    /// <summary>Rendered values of the settings PgBouncer applies only at start (a change needs new pods).</summary>
    public required IReadOnlyDictionary<string, string> RestartSettings { get; init; }

    /// <summary>The resolved sidecar image.</summary>
    public required string Image { get; init; }

    public string ShortVersion => VersionContract.Short(Version);

    public string ShortRevision => VersionContract.Short(ConfigRevision);

    public override string ToString() => $"RenderedPool {{ Version = {ShortVersion}, ConfigRevision = {ShortRevision}, Files = [{string.Join(", ", Files.Keys)}] }}";
}
