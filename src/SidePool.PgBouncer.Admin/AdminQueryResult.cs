namespace SidePool.PgBouncer.Admin;

/// <summary>The result of one simple query on the admin console.</summary>
public sealed record AdminQueryResult(
    IReadOnlyList<string> Columns,
    IReadOnlyList<AdminRow> Rows,
    string CommandTag,
    IReadOnlyList<AdminNotice> Notices);
