namespace SidePool.PgBouncer.Admin;

/// <summary>A row of <c>SHOW DATABASES</c>.</summary>
public sealed record DatabaseStatus(
    string Name,
    string Host,
    string Port,
    string Database,
    string ForceUser,
    long PoolSize,
    long ReservePool,
    string PoolMode,
    long MaxConnections,
    long CurrentConnections,
    bool Paused,
    bool Disabled)
{
    internal static DatabaseStatus From(AdminRow row) => new(
        row.GetString("name"),
        row.GetStringOrNull("host") ?? "",
        row.GetStringOrNull("port") ?? "",
        row.GetStringOrNull("database") ?? "",
        row.GetStringOrNull("force_user") ?? "",
        row.GetInt64("pool_size"),
        row.GetInt64("reserve_pool"),
        row.GetStringOrNull("pool_mode") ?? "",
        row.GetInt64("max_connections"),
        row.GetInt64("current_connections"),
        row.GetInt64("paused") != 0,
        row.GetInt64("disabled") != 0);
}
