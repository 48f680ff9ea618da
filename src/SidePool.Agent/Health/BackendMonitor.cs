using System.Diagnostics;
using Npgsql;
using SidePool.Agent.Configuration;
using SidePool.Agent.Telemetry;

namespace SidePool.Agent.Health;

/// <summary>
/// The backend check: every <c>--backend-check-interval</c>, <c>SELECT 1</c> through the local pooler as the probe
/// user with the client password from the applied <c>userlist.txt</c> (Npgsql over loopback, no pooling, no
/// prepared statements, no type loading; <c>--probe-timeout</c>). Checks never overlap: the next one starts after
/// the previous one ended. The result is <c>sidepool_backend_up</c>; readiness uses it only with
/// <c>--readiness backend</c>.
/// </summary>
internal sealed class BackendMonitor(AgentOptions options, AgentState state, AgentMetrics metrics) : IDisposable
{
    /// <summary>The check's <c>application_name</c>: the drain does not count it as an app client.</summary>
    public const string ApplicationName = "sidepool-agent-backend-check";

    private (string Key, NpgsqlDataSource Source)? _dataSource;
    private bool? _lastUp;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested && !state.IsDraining)
        {
            var started = Stopwatch.GetTimestamp();
            if (state.PgBouncerRunning && state.AppliedConfig is { } config && state.Running is { } running)
            {
                string? problem;
                try
                {
                    // Stopping does not wait for the driver: Npgsql does not observe cancellation in every phase of an
                    // open (e.g. while it waits for the answer to its first message), so a stop during a check against a
                    // hung pooler would wait out --probe-timeout. The abandoned check ends by itself within that time.
                    problem = await CheckAsync(config, running, cancellationToken).WaitAsync(cancellationToken);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    return; // stopped (the drain began) while a check waited for its answer
                }

                if (cancellationToken.IsCancellationRequested)
                {
                    return;
                }

                Record(problem, Stopwatch.GetElapsedTime(started));
            }

            var wait = options.BackendCheckInterval - Stopwatch.GetElapsedTime(started);
            try
            {
                await Task.Delay(wait > TimeSpan.Zero ? wait : TimeSpan.Zero, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public void Dispose() => _dataSource?.Source.Dispose();

    private void Record(string? problem, TimeSpan duration)
    {
        var up = problem is null;
        state.BackendProblem = problem;
        state.BackendUp = up;
        metrics.BackendChecked(up, duration);
        if (_lastUp != up)
        {
            if (up)
            {
                AgentLog.Info("backend", $"backend check passed: the database answers through pgbouncer ({duration.TotalMilliseconds:0} ms)");
            }
            else
            {
                AgentLog.Warn("backend", $"backend check failed: {problem}{(options.Readiness == ReadinessMode.Pooler ? " (readiness is unaffected: --readiness pooler)" : " (not ready: --readiness backend)")}");
            }

            _lastUp = up;
        }
    }

    /// <summary>Null when <c>SELECT 1</c> answered, else why not.</summary>
    private async Task<string?> CheckAsync(MountedConfig config, RuntimeConfig running, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.ProbeTimeout);
        try
        {
            await using var connection = await DataSource(config, running).OpenConnectionAsync(timeout.Token);
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT 1";
            return await command.ExecuteScalarAsync(timeout.Token) is 1 ? null : "unexpected answer to SELECT 1";
        }
        catch (PostgresException e)
        {
            return $"{e.SqlState} {e.MessageText}";
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return $"no answer through pgbouncer within {options.ProbeTimeout.TotalSeconds:0.#} s";
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or IOException or System.Net.Sockets.SocketException or InvalidOperationException)
        {
            return e.Message;
        }
    }

    private NpgsqlDataSource DataSource(MountedConfig config, RuntimeConfig running)
    {
        var key = $"{config.ContentHash}:{running.ListenPort}";
        if (_dataSource is { } current && current.Key == key)
        {
            return current.Source;
        }

        var probe = config.Settings.Probe!;
        var seconds = (int)Math.Max(1, Math.Ceiling(options.ProbeTimeout.TotalSeconds));
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = running.ListenPort,
            Database = probe.Database,
            Username = probe.User,
            Password = config.Users.PlainPasswordOf(probe.User),
            ApplicationName = ApplicationName,
            Pooling = false,
            NoResetOnClose = true,
            MaxAutoPrepare = 0,
            Timeout = seconds,
            CommandTimeout = seconds,
            CancellationTimeout = -1, // on timeout, break the connection instead of waiting for a cancel round trip
        };
        var sourceBuilder = new NpgsqlSlimDataSourceBuilder(builder.ConnectionString);
        sourceBuilder.ConfigureTypeLoading(types => types.EnableTypeLoading(false));
        var source = sourceBuilder.Build();
        var previous = _dataSource;
        _dataSource = (key, source);
        previous?.Source.Dispose();
        return source;
    }
}
