namespace SidePool.Agent.Configuration;

/// <summary>
/// Settings a RELOAD does not apply (PgBouncer ignores the new value; <c>SHOW CONFIG</c> says
/// <c>changeable = no</c>): the same list as the renderer's <c>PgBouncerSettings.NonReloadable</c> (a test keeps
/// them equal), plus whatever <c>sidepool.json</c>'s <c>restartSettings</c> names.
/// </summary>
internal static class RestartOnlySettings
{
    public static readonly IReadOnlySet<string> Known = new HashSet<string>(StringComparer.Ordinal)
    {
        "listen_addr", "listen_port", "listen_backlog", "unix_socket_dir", "unix_socket_mode", "unix_socket_group",
        "so_reuseport", "pidfile", "pkt_buf", "resolv_conf", "job_name", "service_name", "user", "disable_pqexec",
        "track_extra_parameters",
    };

    /// <summary>The keys to pin for a configuration: the known ones and those its sidepool.json lists.</summary>
    public static IEnumerable<string> KeysOf(MountedConfig config) =>
        Known.Union(config.Settings.RestartSettings?.Keys ?? Enumerable.Empty<string>(), StringComparer.Ordinal);
}
