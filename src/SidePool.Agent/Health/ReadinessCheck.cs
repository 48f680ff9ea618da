using System.Diagnostics;
using Npgsql;
using SidePool.Agent.Configuration;
using SidePool.Agent.Telemetry;

namespace SidePool.Agent.Health;

/// <summary>
/// <c>/readyz</c>: PgBouncer accepts clients and the backend answers a real query through it with the pool's
/// credentials (Npgsql over loopback, no pooling, no prepared statements). Not ready while draining.
/// </summary>
internal sealed class ReadinessCheck
{
    private readonly AgentOptions _options;
    private readonly AgentState _state;
    private readonly AgentMetrics _metrics;
    private readonly CachedCheck _cached;
    private (string Hash, NpgsqlDataSource Source)? _dataSource;

    public ReadinessCheck(AgentOptions options, AgentState state, AgentMetrics metrics)
    {
        _options = options;
        _state = state;
        _metrics = metrics;
        _cached = new CachedCheck(CheckAsync, options.ReadyCache, TimeSpan.FromTicks(Math.Min(options.ReadyCache.Ticks, TimeSpan.FromSeconds(1).Ticks)));
    }

    public Task<HealthResult> GetAsync()
    {
        if (_state.IsDraining)
        {
            _state.LastReadiness = false;
            return Task.FromResult(HealthResult.Fail("not ready: draining (the pod is terminating)"));
        }

        return _cached.GetAsync();
    }

    public void Invalidate() => _cached.Invalidate();

    private async Task<HealthResult> CheckAsync(CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var result = await ProbeAsync(cancellationToken);
        _state.LastReadiness = result.Ok;
        _metrics.ReadinessChecked(result.Ok, Stopwatch.GetElapsedTime(started));
        return result;
    }

    private async Task<HealthResult> ProbeAsync(CancellationToken cancellationToken)
    {
        if (!_state.PgBouncerRunning || _state.AppliedConfig is not { } config)
        {
            return HealthResult.Fail("not ready: pgbouncer is not running");
        }

        var probe = config.Settings.Probe!;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.ProbeTimeout + TimeSpan.FromSeconds(1));
        try
        {
            await using var connection = await DataSource(config).OpenConnectionAsync(timeout.Token);
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT 1";
            var answer = await command.ExecuteScalarAsync(timeout.Token);
            return answer is 1
                ? HealthResult.Pass($"ready: {probe.Database} answers through pgbouncer as {probe.User}")
                : HealthResult.Fail("not ready: unexpected answer to SELECT 1");
        }
        catch (PostgresException e)
        {
            return HealthResult.Fail($"not ready: backend unreachable through pgbouncer: {e.SqlState} {e.MessageText}");
        }
        catch (Exception e) when (e is NpgsqlException or OperationCanceledException or TimeoutException or IOException)
        {
            return HealthResult.Fail($"not ready: backend unreachable through pgbouncer: {e.Message}");
        }
    }

    private NpgsqlDataSource DataSource(MountedConfig config)
    {
        if (_dataSource is { } current && current.Hash == config.ContentHash)
        {
            return current.Source;
        }

        var probe = config.Settings.Probe!;
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = config.Settings.ListenPort,
            Database = probe.Database,
            Username = probe.User,
            Password = config.Users.PlainPasswordOf(probe.User),
            ApplicationName = "sidepool-agent-readiness",
            Pooling = false,
            NoResetOnClose = true,
            MaxAutoPrepare = 0,
            Timeout = (int)Math.Ceiling(_options.ProbeTimeout.TotalSeconds),
            CommandTimeout = (int)Math.Ceiling(_options.ProbeTimeout.TotalSeconds),
        };
        var sourceBuilder = new NpgsqlSlimDataSourceBuilder(builder.ConnectionString);
        sourceBuilder.ConfigureTypeLoading(types => types.EnableTypeLoading(false));
        var source = sourceBuilder.Build();
        var previous = _dataSource;
        _dataSource = (config.ContentHash, source);
        previous?.Source.Dispose();
        return source;
    }
}
