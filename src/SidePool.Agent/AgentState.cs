using System.Diagnostics;
using SidePool.Agent.Configuration;
using SidePool.PgBouncer.Admin;

namespace SidePool.Agent;

/// <summary>What the agent's parts share: the applied configuration, PgBouncer's state and the drain state.</summary>
internal sealed class AgentState
{
    private readonly Lock _gate = new();
    private MountedConfig? _appliedConfig;
    private PgBouncerAdminClient? _admin;
    private long _drainStarted;
    private long _drainEnded;

    public AgentState(PgBouncerVersion version) => Version = version;

    /// <summary>The PgBouncer version found at start (<c>pgbouncer --version</c>).</summary>
    public PgBouncerVersion Version { get; }

    /// <summary>The configuration PgBouncer is running (the last one started with or reloaded successfully).</summary>
    public MountedConfig? AppliedConfig
    {
        get
        {
            lock (_gate)
            {
                return _appliedConfig;
            }
        }
    }

    /// <summary>An admin client using the applied configuration's socket and credentials.</summary>
    public PgBouncerAdminClient? Admin
    {
        get
        {
            lock (_gate)
            {
                return _admin;
            }
        }
    }

    /// <summary>The restart-only settings PgBouncer was started with.</summary>
    public IReadOnlyDictionary<string, string> RunningRestartSettings { get; private set; } = new Dictionary<string, string>();

    /// <summary>Restart-only settings whose mounted value differs from the running one.</summary>
    public IReadOnlyList<string> RestartPending { get; set; } = [];

    public volatile bool PgBouncerRunning;

    public volatile bool LastReadiness;

    public bool IsDraining => Interlocked.Read(ref _drainStarted) != 0;

    public TimeSpan DrainElapsed
    {
        get
        {
            var started = Interlocked.Read(ref _drainStarted);
            if (started == 0)
            {
                return TimeSpan.Zero;
            }

            var ended = Interlocked.Read(ref _drainEnded);
            return Stopwatch.GetElapsedTime(started, ended == 0 ? Stopwatch.GetTimestamp() : ended);
        }
    }

    public void Apply(MountedConfig config)
    {
        var endpoint = AdminEndpoint.UnixSocket(config.Settings.SocketDirectory, config.Settings.ListenPort, config.Settings.AdminUser, config.AdminPassword)
            with
        { ConnectTimeout = TimeSpan.FromSeconds(3) };
        lock (_gate)
        {
            _appliedConfig = config;
            _admin = new PgBouncerAdminClient(endpoint);
        }
    }

    /// <summary>Records the configuration PgBouncer was (re)started with: its restart-only settings are now in force.</summary>
    public void Started(MountedConfig config)
    {
        Apply(config);
        RunningRestartSettings = config.Settings.RestartSettings;
        RestartPending = [];
    }

    /// <summary>Marks the start of the drain; returns false when already draining.</summary>
    public bool BeginDrain() => Interlocked.CompareExchange(ref _drainStarted, Stopwatch.GetTimestamp(), 0) == 0;

    public void EndDrain() => Interlocked.CompareExchange(ref _drainEnded, Stopwatch.GetTimestamp(), 0);
}
