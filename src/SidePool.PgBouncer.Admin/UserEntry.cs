namespace SidePool.PgBouncer.Admin;

/// <summary>A row of <c>SHOW USERS</c>.</summary>
public sealed record UserEntry(string Name, string PoolMode)
{
    internal static UserEntry From(AdminRow row) => new(row.GetString("name"), row.GetStringOrNull("pool_mode") ?? "");
}
