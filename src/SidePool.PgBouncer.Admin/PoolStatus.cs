namespace SidePool.PgBouncer.Admin;

/// <summary>A row of <c>SHOW POOLS</c>.</summary>
public sealed record PoolStatus(
    string Database,
    string User,
    long ClientActive,
    long ClientWaiting,
    long ClientActiveCancelRequests,
    long ClientWaitingCancelRequests,
    long ServerActive,
    long ServerActiveCancel,
    long ServerBeingCanceled,
    long ServerIdle,
    long ServerUsed,
    long ServerTested,
    long ServerLogin,
    long MaxWaitSeconds,
    long MaxWaitMicroseconds,
    string PoolMode)
{
    /// <summary>How long the oldest waiting client has waited: <c>maxwait + maxwait_us / 1e6</c>.</summary>
    public double MaxWait => MaxWaitSeconds + (MaxWaitMicroseconds / 1e6);

    internal static PoolStatus From(AdminRow row) => new(
        row.GetString("database"),
        row.GetString("user"),
        row.GetInt64("cl_active"),
        row.GetInt64("cl_waiting"),
        row.GetInt64("cl_active_cancel_req"),
        row.GetInt64("cl_waiting_cancel_req"),
        row.GetInt64("sv_active"),
        row.GetInt64("sv_active_cancel"),
        row.GetInt64("sv_being_canceled"),
        row.GetInt64("sv_idle"),
        row.GetInt64("sv_used"),
        row.GetInt64("sv_tested"),
        row.GetInt64("sv_login"),
        row.GetInt64("maxwait"),
        row.GetInt64("maxwait_us"),
        row.GetStringOrNull("pool_mode") ?? "");
}
