namespace SidePool.PgBouncer.Admin;

/// <summary>A row of <c>SHOW CLIENTS</c>.</summary>
public sealed record ClientConnection(string Type, string User, string Database, string State, string Address, long Port, string ApplicationName)
{
    /// <summary>True for sessions on the admin console (database <c>pgbouncer</c>), which are clients too.</summary>
    public bool IsAdminSession => Database == "pgbouncer";

    internal static ClientConnection From(AdminRow row) => new(
        row.GetStringOrNull("type") ?? "C",
        row.GetStringOrNull("user") ?? "",
        row.GetStringOrNull("database") ?? "",
        row.GetStringOrNull("state") ?? "",
        row.GetStringOrNull("addr") ?? "",
        row.GetInt64("port"),
        row.GetStringOrNull("application_name") ?? "");
}
