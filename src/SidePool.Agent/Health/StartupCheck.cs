namespace SidePool.Agent.Health;

/// <summary>
/// <c>/startupz</c>: PgBouncer started and its listener accepts connections. Never the database: a native sidecar's
/// startup probe gates the app containers' start, and an unreachable database must not keep the pod from starting.
/// </summary>
internal sealed class StartupCheck(AgentOptions options, AgentState state)
{
    public async Task<HealthResult> GetAsync()
    {
        if (!state.PgBouncerRunning || state.Running is not { } running)
        {
            return HealthResult.Fail("not started: pgbouncer is not running yet");
        }

        return await ListenerProbe.ProblemAsync(running.ListenPort, options.ProbeTimeout, CancellationToken.None) is { } problem
            ? HealthResult.Fail($"not started: {problem}")
            : HealthResult.Pass($"started: pgbouncer accepts connections on 127.0.0.1:{running.ListenPort}");
    }
}
