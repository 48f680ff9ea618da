namespace SidePool.Agent;

/// <summary>The agent's command-line settings (<see cref="AgentCommandLine"/>).</summary>
internal sealed record AgentOptions
{
    public string ConfigDirectory { get; init; } = "/etc/sidepool/pool";

    /// <summary>
    /// The private copy PgBouncer runs on (an emptyDir only the sidecar mounts): the agent writes it only after
    /// validating a mounted generation, so a rejected mount never takes effect, not even after a crash.
    /// </summary>
    public string RuntimeDirectory { get; init; } = "/var/lib/sidepool";

    /// <summary>Overrides <c>unix_socket_dir</c> (and sidepool.json's socketDirectory): for running outside Kubernetes.</summary>
    public string? SocketDirectory { get; init; }

    public ReadinessMode Readiness { get; init; } = ReadinessMode.Pooler;

    /// <summary>How often the backend check runs <c>SELECT 1</c> through the local pooler.</summary>
    public TimeSpan BackendCheckInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The PgBouncer binary (looked up on PATH when not absolute).</summary>
    public string PgBouncerPath { get; init; } = "pgbouncer";

    public string HttpAddress { get; init; } = "0.0.0.0";

    public int HttpPort { get; init; } = 9127;

    public DrainMode DrainMode { get; init; } = DrainMode.Classic;

    /// <summary>Classic: how long to wait for the app's clients; native: how long PAUSE may take.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(25);

    /// <summary>After the drain: how long PAUSE and PgBouncer's exit may take before the agent forces it.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a passing pooler check of readiness is reused.</summary>
    public TimeSpan ReadyCache { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Timeout of one readiness check (TCP connect, admin console) and of one backend check.</summary>
    public TimeSpan ProbeTimeout { get; init; } = TimeSpan.FromSeconds(3);

    public TimeSpan ConfigPollInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>PgBouncer crashes restarted in-process within <see cref="RestartWindow"/> before the agent exits.</summary>
    public int MaxRestarts { get; init; } = 5;

    public TimeSpan RestartWindow { get; init; } = TimeSpan.FromMinutes(5);
}
