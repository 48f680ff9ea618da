using System.Text.Json;
using System.Text.Json.Serialization;

namespace SidePool.Contract;

/// <summary>
/// One agent's measurements over its sliding window (<c>GET /load</c>): per-second samples of PgBouncer's SHOW POOLS,
/// SHOW STATS and SHOW DATABASES for the app's pools (not the admin console's), summed so that the operator can add the
/// reports of many pods and still take exact sums and percentiles.
/// </summary>
public sealed record LoadReport
{
    /// <summary>Seconds the window covers now (at most <see cref="LoadMessages.WindowSeconds"/>; less after a start).</summary>
    public int Seconds { get; init; }

    /// <summary>Samples in the window (one a second when PgBouncer answered).</summary>
    public int Samples { get; init; }

    /// <summary>Sum over samples and pools of <c>sv_active</c>: server connections linked to a client.</summary>
    public long ServerActive { get; init; }

    /// <summary>Sum over samples and pools of the pool size PgBouncer applies (SHOW DATABASES <c>pool_size</c>).</summary>
    public long ServerCapacity { get; init; }

    /// <summary>Transactions in the window (SHOW STATS <c>total_xact_count</c> growth).</summary>
    public long Transactions { get; init; }

    /// <summary>
    /// Transactions by how long their clients waited for a server, estimated per second as that second's
    /// <c>total_wait_time</c> growth over its <c>total_xact_count</c> growth: <c>WaitBuckets[i]</c> counts transactions whose
    /// wait was at most <see cref="LoadMessages.WaitBucketsMs"/>[i] (and above the previous bound); the last item counts
    /// the rest. Trailing zeros may be left out.
    /// </summary>
    public IReadOnlyList<long> WaitBuckets { get; init; } = [];

    /// <summary>
    /// Demand per pool per sample, <c>sv_active + cl_waiting</c> (the servers the pool would have used): <c>Demand[n]</c>
    /// counts samples with demand n; the last item (index <see cref="LoadMessages.MaxDemand"/>) counts that or more.
    /// Trailing zeros may be left out.
    /// </summary>
    public IReadOnlyList<long> Demand { get; init; } = [];

    /// <summary>The longest wait of a client still waiting seen in the window (SHOW POOLS <c>maxwait</c>), in ms.</summary>
    public long MaxWaitMs { get; init; }

    /// <summary>
    /// Microseconds spent in transactions in the window (SHOW STATS <c>total_xact_time</c> growth). PgBouncer times a
    /// transaction from the arrival of its first query, so a client's wait for a server is included (measured on 1.18:
    /// about 260 ms per 50 ms transaction in an overloaded pool); it is not server busy time.
    /// </summary>
    public long TransactionMicroseconds { get; init; }

    /// <summary>
    /// Of those, microseconds spent running queries (<c>total_query_time</c> growth, likewise from each query's arrival);
    /// the rest is idle in transaction.
    /// </summary>
    public long QueryMicroseconds { get; init; }

    /// <summary>Clients PgBouncer closed in the window, by timeout (<see cref="VersionContract.Load.Timeouts"/>; absent = 0).</summary>
    public IReadOnlyDictionary<string, long> Closed { get; init; } = new Dictionary<string, long>();
}

/// <summary>The <see cref="LoadReport"/> wire format and its fixed bounds, shared by the agent and the operator.</summary>
public static class LoadMessages
{
    /// <summary>The window an agent keeps.</summary>
    public const int WindowSeconds = 300;

    /// <summary>The largest demand counted on its own; more goes to the last item of <see cref="LoadReport.Demand"/>.</summary>
    public const int MaxDemand = 1000;

    /// <summary>Upper bounds (ms) of the wait buckets; one more bucket counts longer waits.</summary>
    public static readonly IReadOnlyList<double> WaitBucketsMs = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 30_000];

    public static string ToJson(LoadReport report) => JsonSerializer.Serialize(report, LoadJson.Default.LoadReport);

    /// <summary>Parses a report; throws <see cref="JsonException"/> on anything else.</summary>
    public static LoadReport Parse(string json) =>
        JsonSerializer.Deserialize(json, LoadJson.Default.LoadReport) ?? throw new JsonException("null load report");
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, RespectNullableAnnotations = true)]
[JsonSerializable(typeof(LoadReport))]
internal sealed partial class LoadJson : JsonSerializerContext;
