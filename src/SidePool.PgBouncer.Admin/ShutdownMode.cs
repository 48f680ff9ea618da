namespace SidePool.PgBouncer.Admin;

/// <summary>How <c>SHUTDOWN</c> ends PgBouncer.</summary>
public enum ShutdownMode
{
    /// <summary>Exit at once (every version).</summary>
    Immediate,

    /// <summary>Stop listening; exit once every server connection is released (1.23+).</summary>
    WaitForServers,

    /// <summary>Stop listening; exit once every client disconnected (1.23+). Close admin sessions first.</summary>
    WaitForClients,
}
