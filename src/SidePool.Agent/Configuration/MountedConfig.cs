namespace SidePool.Agent.Configuration;

/// <summary>One validated generation of the mounted configuration.</summary>
internal sealed record MountedConfig(
    string ConfigDirectory,
    string ContentHash,
    AgentSettings Settings,
    PgBouncerIni Ini,
    UserList Users)
{
    public const string IniFile = "pgbouncer.ini";
    public const string UserListFile = "userlist.txt";
    public const string HbaFile = "pg_hba.conf";
    public const string SettingsFile = "sidepool.json";

    public string IniPath => Path.Combine(ConfigDirectory, IniFile);

    /// <summary>The renderer's revision, or the content hash when the renderer gave none.</summary>
    public string Revision => Settings.ConfigRevision.Length > 0 ? Settings.ConfigRevision : ContentHash;

    public string ShortRevision => Revision.Length > 12 ? Revision[..12] : Revision;

    public string AdminPassword => Users.PasswordOf(Settings.AdminUser) ?? "";

    public string SocketPath => Path.Combine(Settings.SocketDirectory, $".s.PGSQL.{Settings.ListenPort}");
}
