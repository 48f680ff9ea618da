using SidePool.PgBouncer.Admin;

namespace SidePool.Agent.Health;

/// <summary>
/// <c>/healthz</c>: the PgBouncer process is alive and its admin console answers (on the socket PgBouncer listens
/// on, whatever the mount says now), and the config watcher runs. Never the database.
/// </summary>
/// <remarks>
/// The agent's own state (draining, watcher stopped, PgBouncer not running) is read live on every request; only the
/// admin console probe is cached (1 s when it answered, 250 ms when not). An admin console answer the agent saw
/// anyway (PgBouncer's start, which asks <c>SHOW VERSION</c>) counts as a passing probe, so the first request after
/// PgBouncer came up is answered 200 at once, and a failure cached before a (re)start is never answered after it.
/// </remarks>
internal sealed class LivenessCheck
{
    private static readonly TimeSpan PassTtl = TimeSpan.FromSeconds(1);
    private readonly AgentState _state;
    private readonly CachedCheck _cached;

    public LivenessCheck(AgentState state)
    {
        _state = state;
        _cached = new CachedCheck(ProbeAsync, PassTtl, TimeSpan.FromMilliseconds(250));
    }

    public Task<HealthResult> GetAsync()
    {
        if (_state.IsDraining)
        {
            return Task.FromResult(HealthResult.Pass("ok: draining"));
        }

        if (_state.ConfigWatcherStopped)
        {
            return Task.FromResult(HealthResult.Fail("the config watcher stopped: configuration changes would no longer apply"));
        }

        if (!_state.PgBouncerRunning || _state.Admin is null)
        {
            return Task.FromResult(HealthResult.Fail("pgbouncer is not running"));
        }

        return _state.AdminAnsweredWithin(PassTtl) ? Task.FromResult(Passed(_state.Version)) : _cached.GetAsync();
    }

    private static HealthResult Passed(PgBouncerVersion version) => HealthResult.Pass($"ok: pgbouncer {version}");

    private async Task<HealthResult> ProbeAsync(CancellationToken cancellationToken)
    {
        if (_state.Admin is not { } admin)
        {
            return HealthResult.Fail("pgbouncer is not running");
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(3));
        try
        {
            var version = await admin.ShowVersionAsync(timeout.Token);
            _state.AdminAnswered();
            return Passed(version);
        }
        catch (Exception e) when (e is PgBouncerAdminException or IOException or System.Net.Sockets.SocketException or OperationCanceledException)
        {
            return HealthResult.Fail($"pgbouncer admin console does not answer: {e.Message}");
        }
    }
}
