using System.Diagnostics;
using SidePool.Agent.Health;
using SidePool.PgBouncer.Admin;

namespace SidePool.Agent;

/// <summary>
/// The graceful stop on SIGTERM. Readiness fails at once. Classic mode keeps PgBouncer accepting and serving
/// until no application client is left (SHOW CLIENTS without admin sessions) or the drain timeout passes;
/// native mode goes straight on. Then PgBouncer stops in order: on 1.23+ with <c>SHUTDOWN WAIT_FOR_CLIENTS</c>
/// (classic) or <c>WAIT_FOR_SERVERS</c> (native), before 1.23 with <c>PAUSE</c> (waits for running transactions)
/// then <c>SHUTDOWN</c>. A second signal, or PAUSE/exit taking longer than their budget, forces the exit.
/// The admin sessions kept for scrapes and load samples are closed first: an open admin session is a client PgBouncer
/// would wait for.
/// </summary>
internal sealed class DrainCoordinator(AgentOptions options, AgentState state, PgBouncerSupervisor supervisor, ReadinessCheck readiness, IReadOnlyList<KeptAdminSession> keptSessions)
{
    /// <summary>The agent's own clients (its backend check), which a classic drain does not wait for.</summary>
    private static readonly IReadOnlySet<string> OwnClients = new HashSet<string>(StringComparer.Ordinal) { Health.BackendMonitor.ApplicationName };

    private readonly CancellationTokenSource _forced = new();

    /// <summary>Ends the drain now (second signal).</summary>
    public void Force() => _forced.Cancel();

    /// <summary>Drains and stops PgBouncer; returns the agent's exit code (0 after a clean drain).</summary>
    public async Task<int> DrainAsync()
    {
        state.BeginDrain();
        readiness.Invalidate();
        var started = Stopwatch.GetTimestamp();
        AgentLog.Info("drain", $"draining ({options.DrainMode.ToString().ToLowerInvariant()} mode, drain timeout {options.DrainTimeout.TotalSeconds:0.#} s): readiness now fails");
        await CloseKeptSessionsAsync();
        var clean = true;
        try
        {
            if (options.DrainMode == DrainMode.Classic)
            {
                clean = await WaitForClientsAsync(_forced.Token);
            }

            await StopPgBouncerAsync(clean);
        }
        catch (OperationCanceledException) when (_forced.IsCancellationRequested)
        {
            clean = false;
            AgentLog.Warn("drain", "forced: stopping pgbouncer now");
        }
        catch (Exception e) when (e is PgBouncerAdminException or IOException or System.Net.Sockets.SocketException or OperationCanceledException)
        {
            clean = false;
            AgentLog.Error("drain", $"orderly stop failed ({e.Message}): stopping pgbouncer now");
        }

        if (!await supervisor.WaitForExitAsync(TimeSpan.Zero))
        {
            clean = false;
            await ForceStopAsync();
        }

        state.EndDrain();
        AgentLog.Info("drain", $"drain finished after {Stopwatch.GetElapsedTime(started).TotalMilliseconds:0} ms ({(clean ? "clean" : "not clean")})");
        return clean ? 0 : 1;
    }

    /// <summary>
    /// Closes the kept admin sessions (a scrape or sample in progress ends first: they have a 5 s and a 2 s budget);
    /// scrapes during the drain log in each time, load samples stop.
    /// </summary>
    private async Task CloseKeptSessionsAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(6));
        foreach (var session in keptSessions)
        {
            try
            {
                await session.CloseAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                AgentLog.Warn("drain", $"the admin session {session.ApplicationName} is still busy after 6 s; draining anyway");
            }
        }
    }

    private async Task<bool> WaitForClientsAsync(CancellationToken forced)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(options.DrainTimeout.TotalSeconds * Stopwatch.Frequency);
        var lastLog = 0L;
        while (true)
        {
            forced.ThrowIfCancellationRequested();
            if (supervisor.HasExited)
            {
                return false;
            }

            int clients;
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(forced);
                timeout.CancelAfter(TimeSpan.FromSeconds(2));
                clients = await state.Admin!.CountApplicationClientsAsync(OwnClients, timeout.Token);
            }
            catch (Exception e) when (e is PgBouncerAdminException or IOException or System.Net.Sockets.SocketException || (e is OperationCanceledException && !forced.IsCancellationRequested))
            {
                clients = -1;
            }

            if (clients == 0)
            {
                AgentLog.Info("drain", "no application client left");
                return true;
            }

            var now = Stopwatch.GetTimestamp();
            if (now >= deadline)
            {
                AgentLog.Warn("drain", $"drain timeout: {clients} application client(s) still connected");
                return false;
            }

            if (Stopwatch.GetElapsedTime(lastLog, now) >= TimeSpan.FromSeconds(2))
            {
                lastLog = now;
                AgentLog.Info("drain", clients < 0 ? "admin console did not answer; still waiting" : $"waiting for {clients} application client(s)");
            }

            await Task.Delay(100, forced);
        }
    }

    private async Task StopPgBouncerAsync(bool clientsGone)
    {
        var admin = state.Admin!;
        var budget = options.DrainMode == DrainMode.Native ? options.DrainTimeout : options.ShutdownTimeout;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(_forced.Token);
        stop.CancelAfter(budget);
        var plan = StopPlans.Choose(state.Version, options.DrainMode, clientsGone);
        if (plan is StopPlan.ShutdownWaitForClients or StopPlan.ShutdownWaitForServers)
        {
            var mode = plan == StopPlan.ShutdownWaitForClients ? ShutdownMode.WaitForClients : ShutdownMode.WaitForServers;
            AgentLog.Info("drain", $"SHUTDOWN {(mode == ShutdownMode.WaitForClients ? "WAIT_FOR_CLIENTS" : "WAIT_FOR_SERVERS")}");
            supervisor.BeginStop();
            using (var reply = CancellationTokenSource.CreateLinkedTokenSource(stop.Token))
            {
                reply.CancelAfter(TimeSpan.FromSeconds(2));
                try
                {
                    await admin.ShutdownAsync(mode, state.Version, reply.Token); // the session is closed right after
                }
                catch (OperationCanceledException) when (!stop.IsCancellationRequested)
                {
                }
            }
        }
        else
        {
            var pauseStarted = Stopwatch.GetTimestamp();
            if (state.BudgetPaused)
            {
                AgentLog.Info("drain", "already paused (never admitted to the connection budget): no server connection to wait for");
            }
            else
            {
                AgentLog.Info("drain", "PAUSE: waiting for running transactions to finish");
                await admin.PauseAsync(cancellationToken: stop.Token);
            }

            AgentLog.Info("drain", $"paused after {Stopwatch.GetElapsedTime(pauseStarted).TotalMilliseconds:0} ms; SHUTDOWN");
            supervisor.BeginStop();
            await admin.ShutdownAsync(ShutdownMode.Immediate, state.Version, stop.Token);
        }

        if (!await WaitForExitAsync(stop.Token))
        {
            throw new OperationCanceledException("pgbouncer did not exit in time");
        }
    }

    private async Task<bool> WaitForExitAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            if (await supervisor.WaitForExitAsync(TimeSpan.FromMilliseconds(50)))
            {
                return true;
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        return false;
    }

    private async Task ForceStopAsync()
    {
        supervisor.BeginStop();
        var signal = StopPlans.ImmediateExitSignal(state.Version);
        AgentLog.Warn("drain", $"sending pgbouncer signal {signal} (immediate exit)");
        supervisor.Signal(signal);
        if (!await supervisor.WaitForExitAsync(TimeSpan.FromSeconds(2)))
        {
            supervisor.Signal(NativeMethods.SigKill);
            await supervisor.WaitForExitAsync(TimeSpan.FromSeconds(2));
        }
    }
}
