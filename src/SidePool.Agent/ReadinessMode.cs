namespace SidePool.Agent;

/// <summary>What <c>/readyz</c> promises.</summary>
internal enum ReadinessMode
{
    /// <summary>This sidecar accepts connections (PgBouncer runs, listens, its admin console answers, not draining). A database outage does not make pods NotReady.</summary>
    Pooler,

    /// <summary>The pooler checks and the last backend check (<c>SELECT 1</c> through the pooler) passed.</summary>
    Backend,
}
