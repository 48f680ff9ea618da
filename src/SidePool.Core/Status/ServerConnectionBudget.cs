using SidePool.Api;

namespace SidePool.Core;

/// <summary>
/// Server connections a pool may open. PgBouncer opens up to <c>default_pool_size + reserve_pool_size</c> per
/// database/user pair; the pool renders one pair per database entry, and <c>readOnlyHost</c> adds a second entry
/// (<c>&lt;db&gt;_ro</c>) with its own connections, so perPod doubles with it (counted against the one budget even
/// though they reach another server: the budget is "what this pool may open").
/// </summary>
public static class ServerConnectionBudget
{
    public static int PerPod(ConnectionPoolSpec spec)
    {
        var entries = spec.Backend?.ReadOnlyHost is null ? 1 : 2;
        return (spec.Pool.Size + spec.Pool.ReserveSize) * entries;
    }
}
