using SidePool.PgBouncer.Admin;

namespace SidePool.Agent.Telemetry;

/// <summary>What one load sample read from the admin console: SHOW POOLS, SHOW STATS_TOTALS, SHOW DATABASES.</summary>
internal sealed record LoadObservation(
    IReadOnlyList<PoolStatus> Pools,
    IReadOnlyList<DatabaseStatsTotals> Totals,
    IReadOnlyList<DatabaseStatus> Databases);
