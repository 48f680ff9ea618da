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
    private RuntimeConfig? _running;
    private long _drainStarted;
    private long _adminAnsweredAt;
    private long _drainEnded;

    /// <summary>The running PgBouncer's version (SHOW VERSION when it started); 0.0.0 until then.</summary>
    public PgBouncerVersion Version { get; set; } = new(0, 0, 0);

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

    /// <summary>
    /// Serializes writes to the runtime directory with what follows them (RELOAD, or a crash restart), so a reload
    /// and a restart never interleave their files.
    /// </summary>
    public SemaphoreSlim RuntimeGate { get; } = new(1, 1);

    /// <summary>The private copy PgBouncer was last started on (its port and socket are what PgBouncer listens on).</summary>
    public RuntimeConfig? Running
    {
        get
        {
            lock (_gate)
            {
                return _running;
            }
        }
    }

    /// <summary>An admin client on the socket PgBouncer listens on, with the applied configuration's admin credentials.</summary>
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
    public IReadOnlyDictionary<string, string> RunningRestartSettings => Running?.RestartSettings ?? new Dictionary<string, string>();

    /// <summary>Restart-only settings whose mounted value differs from the running one.</summary>
    public IReadOnlyList<string> RestartPending { get; set; } = [];

    public volatile bool PgBouncerRunning;

    /// <summary>PgBouncer is PAUSEd because the pod is not admitted to the connection budget yet (see docs/budget.md).</summary>
    public volatile bool BudgetPaused;

    public volatile bool LastReadiness;

    /// <summary>Whether the last backend check (SELECT 1 through the local pooler) passed.</summary>
    public volatile bool BackendUp;

    /// <summary>Why the last backend check failed (null after a pass or before the first check).</summary>
    public volatile string? BackendProblem;

    /// <summary>Set if the config watcher ended while the agent was not stopping (liveness then fails).</summary>
    public volatile bool ConfigWatcherStopped;

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

    /// <summary>
    /// Records a configuration PgBouncer now runs (reloaded): the admin client keeps PgBouncer's socket, with the new
    /// credentials (and the previous password as the alternate, for sessions that meet PgBouncer before it re-read its
    /// auth file).
    /// </summary>
    public void Apply(MountedConfig config)
    {
        lock (_gate)
        {
            var running = _running ?? throw new InvalidOperationException("pgbouncer was not started");
            var previous = _appliedConfig?.AdminPassword;
            _appliedConfig = config;
            _admin = new PgBouncerAdminClient(AdminEndpoint(running, config) with { AlternatePassword = previous });
        }
    }

    /// <summary>
    /// A configuration with <paramref name="config"/>'s admin password is about to be handed to PgBouncer (null: not
    /// any more): until it is applied, admin sessions (scrapes, liveness) try that password when the current one is refused.
    /// </summary>
    public void ExpectAdminPasswordOf(MountedConfig? config)
    {
        lock (_gate)
        {
            if (_running is { } running && _appliedConfig is { } applied)
            {
                _admin = new PgBouncerAdminClient(AdminEndpoint(running, applied) with { AlternatePassword = config?.AdminPassword });
            }
        }
    }

    /// <summary>Records the configuration and private copy PgBouncer was (re)started on: its restart-only settings are now in force.</summary>
    public void Started(MountedConfig config, RuntimeConfig running)
    {
        lock (_gate)
        {
            _running = running;
            _appliedConfig = config;
            _admin = new PgBouncerAdminClient(AdminEndpoint(running, config));
            Interlocked.Exchange(ref _adminAnsweredAt, 0); // answers of a previous PgBouncer process say nothing about this one
        }
    }

    /// <summary>An admin client for <paramref name="config"/>'s credentials on the running PgBouncer's socket (the applied ones as the alternate).</summary>
    public PgBouncerAdminClient AdminFor(MountedConfig config) =>
        new(AdminEndpoint(Running ?? throw new InvalidOperationException("pgbouncer was not started"), config) with { AlternatePassword = AppliedConfig?.AdminPassword });

    private static AdminEndpoint AdminEndpoint(RuntimeConfig running, MountedConfig config) =>
        PgBouncer.Admin.AdminEndpoint.UnixSocket(running.SocketDirectory, running.ListenPort, config.Settings.AdminUser, config.AdminPassword)
        with
        { ConnectTimeout = TimeSpan.FromSeconds(3) };

    /// <summary>Records that the running PgBouncer's admin console just answered (liveness reuses this for a while).</summary>
    public void AdminAnswered() => Interlocked.Exchange(ref _adminAnsweredAt, Stopwatch.GetTimestamp());

    /// <summary>Whether the admin console of the running PgBouncer answered within <paramref name="age"/>.</summary>
    public bool AdminAnsweredWithin(TimeSpan age) =>
        Interlocked.Read(ref _adminAnsweredAt) is var at and not 0 && Stopwatch.GetElapsedTime(at) < age;

    /// <summary>Marks the start of the drain; returns false when already draining.</summary>
    public bool BeginDrain() => Interlocked.CompareExchange(ref _drainStarted, Stopwatch.GetTimestamp(), 0) == 0;

    public void EndDrain() => Interlocked.CompareExchange(ref _drainEnded, Stopwatch.GetTimestamp(), 0);
}
