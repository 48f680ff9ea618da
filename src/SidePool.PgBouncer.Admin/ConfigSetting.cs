namespace SidePool.PgBouncer.Admin;

/// <summary>A row of <c>SHOW CONFIG</c>.</summary>
public sealed record ConfigSetting(string Key, string Value, string Default, bool Changeable)
{
    internal static ConfigSetting From(AdminRow row) => new(
        row.GetString("key"),
        row.GetStringOrNull("value") ?? "",
        row.GetStringOrNull("default") ?? "",
        string.Equals(row.GetStringOrNull("changeable"), "yes", StringComparison.OrdinalIgnoreCase));
}
