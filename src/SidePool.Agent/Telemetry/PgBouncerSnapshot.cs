using SidePool.PgBouncer.Admin;

namespace SidePool.Agent.Telemetry;

/// <summary>What one scrape of the admin console returned.</summary>
internal sealed record PgBouncerSnapshot(
    bool Up,
    PgBouncerVersion? Version,
    IReadOnlyList<PoolStatus> Pools,
    IReadOnlyList<DatabaseStatsTotals> Totals,
    IReadOnlyList<DatabaseStatus> Databases,
    IReadOnlyDictionary<string, long> Lists,
    long? MaxClientConnections)
{
    public static PgBouncerSnapshot Down { get; } = new(false, null, [], [], [], new Dictionary<string, long>(), null);
}
