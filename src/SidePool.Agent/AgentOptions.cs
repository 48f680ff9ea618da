namespace SidePool.Agent;

/// <summary>The agent's command-line settings.</summary>
internal sealed record AgentOptions
{
    public string ConfigDirectory { get; init; } = "/etc/sidepool/pool";

    /// <summary>The PgBouncer binary (looked up on PATH when not absolute).</summary>
    public string PgBouncerPath { get; init; } = "pgbouncer";

    public string HttpAddress { get; init; } = "0.0.0.0";

    public int HttpPort { get; init; } = 9127;

    public DrainMode DrainMode { get; init; } = DrainMode.Classic;

    /// <summary>Classic: how long to wait for the app's clients; native: how long PAUSE may take.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(25);

    /// <summary>After the drain: how long PAUSE and PgBouncer's exit may take before the agent forces it.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a readiness result is reused.</summary>
    public TimeSpan ReadyCache { get; init; } = TimeSpan.FromSeconds(2);

    public TimeSpan ProbeTimeout { get; init; } = TimeSpan.FromSeconds(3);

    public TimeSpan ConfigPollInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>PgBouncer crashes restarted in-process within <see cref="RestartWindow"/> before the agent exits.</summary>
    public int MaxRestarts { get; init; } = 5;

    public TimeSpan RestartWindow { get; init; } = TimeSpan.FromMinutes(5);
}
