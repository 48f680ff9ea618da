using SidePool.PgBouncer.Admin;

namespace SidePool.Agent;

/// <summary>How the agent stops PgBouncer in order at the end of a drain, by version and drain mode.</summary>
internal enum StopPlan
{
    /// <summary><c>PAUSE</c> (waits for running transactions), then <c>SHUTDOWN</c>: every version.</summary>
    PauseThenShutdown,

    /// <summary><c>SHUTDOWN WAIT_FOR_CLIENTS</c> (1.23+): stop listening, exit when the last client left.</summary>
    ShutdownWaitForClients,

    /// <summary><c>SHUTDOWN WAIT_FOR_SERVERS</c> (1.23+): stop listening, exit when every server connection is released.</summary>
    ShutdownWaitForServers,
}

/// <summary>Chooses the <see cref="StopPlan"/> and the immediate-exit signal for a PgBouncer version.</summary>
internal static class StopPlans
{
    public static StopPlan Choose(PgBouncerVersion version, DrainMode mode, bool clientsGone) =>
        (version.SupportsGracefulShutdownCommands, mode, clientsGone) switch
        {
            (true, DrainMode.Native, _) => StopPlan.ShutdownWaitForServers,
            (true, DrainMode.Classic, true) => StopPlan.ShutdownWaitForClients,
            _ => StopPlan.PauseThenShutdown, // before 1.23, or classic after the drain timeout: do not wait for clients any longer
        };

    /// <summary>The signal that makes PgBouncer exit at once: SIGTERM before 1.23, SIGQUIT from 1.23 (SIGTERM waits for clients there).</summary>
    public static int ImmediateExitSignal(PgBouncerVersion version) =>
        version.SupportsGracefulShutdownCommands ? NativeMethods.SigQuit : NativeMethods.SigTerm;
}
