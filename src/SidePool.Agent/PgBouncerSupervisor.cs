using System.Diagnostics;
using SidePool.Agent.Configuration;
using SidePool.Agent.Telemetry;
using SidePool.PgBouncer.Admin;

namespace SidePool.Agent;

/// <summary>
/// Runs PgBouncer as a child process on the agent's private copy of the configuration (<see cref="RuntimeDirectory"/>),
/// never on the mount, forwards its log lines to stdout and applies
/// the crash policy: an unexpected exit is restarted in-process with exponential backoff (0.5 s doubling up to
/// 8 s); more than <see cref="AgentOptions.MaxRestarts"/> crashes within <see cref="AgentOptions.RestartWindow"/>,
/// or a crash while draining, ends supervision so the agent exits non-zero and the kubelet restarts the container.
/// A crash restart runs on the private copy of the last applied configuration with the restart-only settings
/// PgBouncer ran with: what the mount holds now (perhaps rejected) never reaches PgBouncer this way.
/// Its log lines also count the clients it closed by a timeout (<see cref="ClosedClients"/>).
/// </summary>
internal sealed class PgBouncerSupervisor(AgentOptions options, string binary, RuntimeDirectory runtime, AgentState state, AgentMetrics metrics, ClosedClients closedClients) : IAsyncDisposable
{
    private readonly Queue<DateTime> _recentCrashes = new();
    private long _configLoadFailures;
    private Process? _process;
    private volatile bool _stopping;

    public int? ProcessId => _process is { } p ? SafeId(p) : null;

    /// <summary>How many times PgBouncer logged that its configuration file failed to load (it says so only in its log before 1.25).</summary>
    public long ConfigLoadFailures => Interlocked.Read(ref _configLoadFailures);

    /// <summary>
    /// Writes the private copy of <paramref name="config"/> (restart-only settings pinned to <paramref name="pinned"/>,
    /// or as mounted when null), starts PgBouncer on it and returns once its admin console answers; throws when it
    /// exits or does not answer in time.
    /// </summary>
    public async Task StartAsync(MountedConfig config, IReadOnlyDictionary<string, string>? pinned, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var running = runtime.Write(config, pinned);
        var socketPath = Path.Combine(running.SocketDirectory, $".s.PGSQL.{running.ListenPort.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
        var info = new ProcessStartInfo(binary)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
        };
        info.ArgumentList.Add(running.IniPath);
        var process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {binary}");
        process.OutputDataReceived += (_, e) => Forward(e.Data);
        process.ErrorDataReceived += (_, e) => Forward(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;

        state.Started(config, running);
        var admin = state.Admin!;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (process.HasExited)
            {
                throw new InvalidOperationException($"pgbouncer exited during start with code {process.ExitCode}");
            }

            if (File.Exists(socketPath))
            {
                try
                {
                    state.Version = await admin.ShowVersionAsync(cancellationToken);
                    state.AdminAnswered();
                    break;
                }
                catch (Exception e) when (e is PgBouncerAdminException or IOException or System.Net.Sockets.SocketException && DateTime.UtcNow < deadline)
                {
                    // a stale socket file from a killed predecessor, or not listening yet
                }
            }
            else if (DateTime.UtcNow >= deadline)
            {
                throw new InvalidOperationException($"pgbouncer did not create {socketPath} within 15 s");
            }

            await Task.Delay(10, cancellationToken);
        }

        if (runtime.Share == 0)
        {
            // not admitted to the connection budget yet: no server connection until the operator delivers a share
            await Budget.ShareKeeper.PauseAsync(admin, state, cancellationToken);
        }

        state.PgBouncerRunning = true;
        AgentLog.Info("supervisor", $"pgbouncer {state.Version} running (pid {process.Id}) on revision {config.ShortRevision} from {running.IniPath}, port {running.ListenPort}, admin console answered after {Stopwatch.GetElapsedTime(started).TotalMilliseconds:0} ms; stops with {(state.Version.SupportsGracefulShutdownCommands ? "SHUTDOWN WAIT_FOR_CLIENTS/WAIT_FOR_SERVERS" : "PAUSE + SHUTDOWN")}");
    }

    /// <summary>Watches PgBouncer until the agent stops it or the crash policy gives up.</summary>
    public async Task<SupervisionOutcome> SuperviseAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var process = _process ?? throw new InvalidOperationException("pgbouncer was not started");
            await process.WaitForExitAsync(CancellationToken.None);
            state.PgBouncerRunning = false;
            if (_stopping)
            {
                AgentLog.Info("supervisor", $"pgbouncer exited with code {process.ExitCode} as asked");
                return SupervisionOutcome.Stopped;
            }

            AgentLog.Error("supervisor", $"pgbouncer (pid {process.Id}) exited unexpectedly with code {Describe(process.ExitCode)}");
            if (state.IsDraining)
            {
                AgentLog.Error("supervisor", "not restarting pgbouncer while draining");
                return SupervisionOutcome.GaveUp;
            }

            while (true)
            {
                var now = DateTime.UtcNow;
                _recentCrashes.Enqueue(now);
                while (_recentCrashes.Count > 0 && now - _recentCrashes.Peek() > options.RestartWindow)
                {
                    _recentCrashes.Dequeue();
                }

                if (_recentCrashes.Count > options.MaxRestarts)
                {
                    AgentLog.Error("supervisor", $"pgbouncer crashed {_recentCrashes.Count} times within {options.RestartWindow.TotalSeconds:0} s (limit {options.MaxRestarts}): exiting so the kubelet restarts the container");
                    return SupervisionOutcome.GaveUp;
                }

                var backoff = TimeSpan.FromMilliseconds(Math.Min(8000, 500 * Math.Pow(2, _recentCrashes.Count - 1)));
                AgentLog.Warn("supervisor", $"restarting pgbouncer in {backoff.TotalMilliseconds:0} ms (crash {_recentCrashes.Count} of {options.MaxRestarts} allowed per {options.RestartWindow.TotalSeconds:0} s)");
                try
                {
                    await Task.Delay(backoff, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    return SupervisionOutcome.Stopped;
                }

                if (_stopping || state.IsDraining)
                {
                    return SupervisionOutcome.Stopped;
                }

                // the last applied configuration, on the port and socket PgBouncer ran with: never the mount as it is now
                var config = state.AppliedConfig!;
                var gate = state.RuntimeGate;
                try
                {
                    await gate.WaitAsync(cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    return SupervisionOutcome.Stopped;
                }

                try
                {
                    AgentLog.Info("supervisor", $"restarting pgbouncer on the private copy of applied revision {config.ShortRevision}");
                    await StartAsync(config, state.RunningRestartSettings, cancellationToken);
                    metrics.PgBouncerRestarted();
                    break;
                }
                catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or IOException or UnauthorizedAccessException)
                {
                    AgentLog.Error("supervisor", $"pgbouncer restart failed: {e.Message}");
                }
                catch (OperationCanceledException)
                {
                    return SupervisionOutcome.Stopped;
                }
                finally
                {
                    gate.Release();
                }
            }
        }
    }

    /// <summary>From now on an exit of PgBouncer is expected.</summary>
    public void BeginStop() => _stopping = true;

    public bool HasExited => _process is not { } p || p.HasExited;

    public bool Signal(int signal) => _process is { HasExited: false } p && NativeMethods.SendSignal(p.Id, signal);

    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        if (_process is not { } process)
        {
            return true;
        }

        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { } process)
        {
            if (!process.HasExited)
            {
                _stopping = true;
                process.Kill();
                await WaitForExitAsync(TimeSpan.FromSeconds(5));
            }

            process.Dispose();
        }
    }

    private static string Describe(int exitCode) => exitCode > 128 ? $"{exitCode} (signal {exitCode - 128})" : exitCode.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static int? SafeId(Process process)
    {
        try
        {
            return process.Id;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private void Forward(string? line)
    {
        if (line is null)
        {
            return;
        }

        if (line.Contains("config file loading failed", StringComparison.Ordinal))
        {
            Interlocked.Increment(ref _configLoadFailures);
        }

        closedClients.Observe(line);

        AgentLog.Forward("pgbouncer", line);
    }
}
