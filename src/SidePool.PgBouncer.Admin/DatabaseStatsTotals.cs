namespace SidePool.PgBouncer.Admin;

/// <summary>A row of <c>SHOW STATS_TOTALS</c> (times in microseconds, as PgBouncer reports them).</summary>
public sealed record DatabaseStatsTotals(
    string Database,
    long TransactionCount,
    long QueryCount,
    long BytesReceived,
    long BytesSent,
    long TransactionTimeMicroseconds,
    long QueryTimeMicroseconds,
    long WaitTimeMicroseconds)
{
    internal static DatabaseStatsTotals From(AdminRow row) => new(
        row.GetString("database"),
        row.GetInt64("xact_count"),
        row.GetInt64("query_count"),
        row.GetInt64("bytes_received"),
        row.GetInt64("bytes_sent"),
        row.GetInt64("xact_time"),
        row.GetInt64("query_time"),
        row.GetInt64("wait_time"));
}
