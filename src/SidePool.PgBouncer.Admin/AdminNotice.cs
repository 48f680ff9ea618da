namespace SidePool.PgBouncer.Admin;

/// <summary>A NoticeResponse received while running a command.</summary>
public sealed record AdminNotice(string Severity, string SqlState, string Message);
