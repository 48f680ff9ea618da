namespace SidePool.Core;

/// <summary>Facts about PgBouncer settings that rendering relies on.</summary>
public static class PgBouncerSettings
{
    /// <summary>
    /// Settings a RELOAD does not apply (PgBouncer ignores the new value; <c>SHOW CONFIG</c> says
    /// <c>changeable = no</c>). A change to any of them needs new pods, so they are part of the version.
    /// </summary>
    public static readonly IReadOnlySet<string> NonReloadable = new HashSet<string>(StringComparer.Ordinal)
    {
        "listen_addr", "listen_port", "listen_backlog", "unix_socket_dir", "unix_socket_mode", "unix_socket_group",
        "so_reuseport", "pidfile", "pkt_buf", "resolv_conf", "job_name", "service_name", "user", "disable_pqexec",
        "track_extra_parameters",
    };
}
