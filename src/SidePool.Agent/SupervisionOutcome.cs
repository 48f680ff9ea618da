namespace SidePool.Agent;

/// <summary>Why supervision of PgBouncer ended.</summary>
internal enum SupervisionOutcome
{
    /// <summary>PgBouncer exited because the agent asked it to (drain).</summary>
    Stopped,

    /// <summary>PgBouncer kept crashing (or crashed while draining): the agent exits and the kubelet takes over.</summary>
    GaveUp,
}
