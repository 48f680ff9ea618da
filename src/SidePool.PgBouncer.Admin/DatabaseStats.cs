namespace SidePool.PgBouncer.Admin;

/// <summary>A row of <c>SHOW STATS</c>: totals and per-second averages of the last period (times in microseconds).</summary>
public sealed record DatabaseStats(
    string Database,
    long TotalTransactionCount,
    long TotalQueryCount,
    long TotalReceived,
    long TotalSent,
    long TotalTransactionTimeMicroseconds,
    long TotalQueryTimeMicroseconds,
    long TotalWaitTimeMicroseconds,
    long AverageTransactionCount,
    long AverageQueryCount,
    long AverageTransactionTimeMicroseconds,
    long AverageQueryTimeMicroseconds,
    long AverageWaitTimeMicroseconds)
{
    internal static DatabaseStats From(AdminRow row) => new(
        row.GetString("database"),
        row.GetInt64("total_xact_count"),
        row.GetInt64("total_query_count"),
        row.GetInt64("total_received"),
        row.GetInt64("total_sent"),
        row.GetInt64("total_xact_time"),
        row.GetInt64("total_query_time"),
        row.GetInt64("total_wait_time"),
        row.GetInt64("avg_xact_count"),
        row.GetInt64("avg_query_count"),
        row.GetInt64("avg_xact_time"),
        row.GetInt64("avg_query_time"),
        row.GetInt64("avg_wait_time"));
}
