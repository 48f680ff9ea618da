using SidePool.PgBouncer.Admin;

namespace SidePool.Agent.Health;

/// <summary>
/// <c>/healthz</c>: the PgBouncer process is alive and its admin console answers (on the socket PgBouncer listens
/// on, whatever the mount says now), and the config watcher runs. Never the database.
/// </summary>
internal sealed class LivenessCheck
{
    private readonly AgentState _state;
    private readonly CachedCheck _cached;

    public LivenessCheck(AgentState state)
    {
        _state = state;
        _cached = new CachedCheck(CheckAsync, TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(250));
    }

    public Task<HealthResult> GetAsync() => _cached.GetAsync();

    private async Task<HealthResult> CheckAsync(CancellationToken cancellationToken)
    {
        if (_state.IsDraining)
        {
            return HealthResult.Pass("ok: draining");
        }

        if (_state.ConfigWatcherStopped)
        {
            return HealthResult.Fail("the config watcher stopped: configuration changes would no longer apply");
        }

        if (!_state.PgBouncerRunning || _state.Admin is not { } admin)
        {
            return HealthResult.Fail("pgbouncer is not running");
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(3));
        try
        {
            var version = await admin.ShowVersionAsync(timeout.Token);
            return HealthResult.Pass($"ok: pgbouncer {version}");
        }
        catch (Exception e) when (e is PgBouncerAdminException or IOException or System.Net.Sockets.SocketException or OperationCanceledException)
        {
            return HealthResult.Fail($"pgbouncer admin console does not answer: {e.Message}");
        }
    }
}
