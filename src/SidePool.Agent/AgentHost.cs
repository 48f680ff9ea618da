using System.Diagnostics;
using System.Runtime.InteropServices;
using SidePool.Agent.Configuration;
using SidePool.Agent.Health;
using SidePool.Agent.Http;
using SidePool.Agent.Telemetry;

namespace SidePool.Agent;

/// <summary>Wires the agent together: configuration, PgBouncer supervision, HTTP endpoints, reloads, drain.</summary>
internal sealed class AgentHost(AgentOptions options)
{
    private readonly TaskCompletionSource _drainRequested = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _signals;
    private int _hangupWhileStarting;
    private DrainCoordinator? _drain;
    private ConfigWatcher? _watcher;

    public async Task<int> RunAsync()
    {
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnStopSignal);
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnStopSignal);
        using var hangup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, OnHangup);
        AgentLog.Info("agent", $"sidepool-agent {AgentVersion.Value} starting: config {options.ConfigDirectory}, runtime {options.RuntimeDirectory}{(options.SocketDirectory is { } socketDirectory ? $", socket directory {socketDirectory} (--socket-dir)" : "")}, readiness {options.Readiness.ToString().ToLowerInvariant()}, drain mode {options.DrainMode.ToString().ToLowerInvariant()}, http {options.HttpAddress}:{options.HttpPort}");

        var snapshot = ConfigLoader.Load(options.ConfigDirectory);
        if (snapshot.Config is not { } config)
        {
            AgentLog.Error("agent", $"cannot start: {snapshot.Problem}");
            return 1;
        }

        var runtime = new RuntimeDirectory(options.RuntimeDirectory, options.SocketDirectory);
        try
        {
            runtime.Prepare();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            AgentLog.Error("agent", $"cannot start: runtime directory {runtime.Path}: {e.Message}");
            return 1;
        }

        Budget.ShareKeeper.Prepare(config, runtime);
        var binary = PgBouncerBinary.Resolve(options.PgBouncerPath);
        var state = new AgentState();
        var registry = AgentRegistry.Create();
        await using var scrapeSession = new SidePool.PgBouncer.Admin.KeptAdminSession(PgBouncerMetrics.ScrapeApplicationName);
        using var metrics = new MetricsEndpoint(registry, new PgBouncerMetrics(scrapeSession, registry));
        var agentMetrics = new AgentMetrics(state, registry);
        var closedClients = new ClosedClients();
        var loadMetrics = new LoadMetrics(registry, closedClients);
        await using var loadSession = new SidePool.PgBouncer.Admin.KeptAdminSession(LoadSampler.ApplicationName);
        var readiness = new ReadinessCheck(options, state, agentMetrics);
        var liveness = new LivenessCheck(state);
        var startup = new StartupCheck(options, state);
        await using var supervisor = new PgBouncerSupervisor(options, binary, runtime, state, agentMetrics, closedClients);
        var load = new LoadSampler(state, loadSession, closedClients, loadMetrics, () => supervisor.ProcessId);
        _drain = new DrainCoordinator(options, state, supervisor, readiness, [scrapeSession, loadSession]);
        var shares = new Budget.ShareKeeper(state, runtime);

        await using var http = new HealthServer(options.HttpAddress, options.HttpPort, async (request, ct) => (request.Path, request.Method) switch
        {
            (SidePool.Contract.VersionContract.Budget.Path, _) => await shares.HandleAsync(request, ct),
            (_, "PUT") => HttpResponse.Text(405, "method not allowed: only /budget takes PUT"),
            var (path, _) => path switch
            {
                "/healthz" => Respond(await liveness.GetAsync()),
                "/readyz" => Respond(await readiness.GetAsync()),
                "/startupz" => Respond(await startup.GetAsync()),
                "/metrics" => await metrics.ScrapeAsync(state.PgBouncerRunning ? state.Admin : null, ct),
                SidePool.Contract.VersionContract.Load.Path => new HttpResponse(200, "application/json", SidePool.Contract.LoadMessages.ToJson(load.Report()) + "\n"),
                _ => HttpResponse.Text(404, "not found: try /healthz, /readyz, /startupz, /metrics, /load or /budget"),
            },
        });
        try
        {
            http.Start();
        }
        catch (System.Net.Sockets.SocketException e)
        {
            AgentLog.Error("agent", $"cannot listen on {options.HttpAddress}:{options.HttpPort}: {e.Message}");
            return 1;
        }

        try
        {
            await supervisor.StartAsync(config, pinned: null, CancellationToken.None);
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or IOException or UnauthorizedAccessException)
        {
            AgentLog.Error("agent", $"cannot start pgbouncer: {e.Message}");
            return 1;
        }

        AgentLog.Info("agent", $"serving: pgbouncer and /healthz up {(DateTime.Now - Process.GetCurrentProcess().StartTime).TotalMilliseconds:0} ms after process start");

        using var stopWatching = new CancellationTokenSource();
        using var backend = new BackendMonitor(options, state, agentMetrics);
        var checking = backend.RunAsync(stopWatching.Token);
        var sampling = load.RunAsync(stopWatching.Token);
        using var watcher = new ConfigWatcher(options.ConfigDirectory, options.ConfigPollInterval);
        var reloader = new ConfigReloader(state, agentMetrics, readiness, supervisor, runtime);
        var watching = watcher.RunAsync(config.ContentHash, reloader.OnChangeAsync, _ => agentMetrics.ConfigWatchRestarted(), stopWatching.Token);
        _ = watching.ContinueWith(
            _ =>
            {
                if (!stopWatching.IsCancellationRequested)
                {
                    state.ConfigWatcherStopped = true;
                    AgentLog.Error("config", "the config watcher stopped: /healthz fails so the kubelet restarts the container");
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        _watcher = watcher;
        if (Interlocked.Exchange(ref _hangupWhileStarting, 0) == 1)
        {
            AgentLog.Info("agent", "started: re-reading the mounted configuration for the SIGHUP received while starting");
            watcher.RequestReload();
        }
        var supervising = supervisor.SuperviseAsync(stopWatching.Token);

        var first = await Task.WhenAny(_drainRequested.Task, supervising);
        int exitCode;
        if (first == supervising)
        {
            exitCode = 1; // the crash policy gave up: let the kubelet restart the container
        }
        else
        {
            await stopWatching.CancelAsync();
            exitCode = await _drain.DrainAsync();
            if (await supervising == SupervisionOutcome.GaveUp)
            {
                exitCode = 1;
            }
        }

        await stopWatching.CancelAsync();
        _watcher = null;
        await watching;
        await checking;
        await sampling;
        AgentLog.Info("agent", $"exiting with code {exitCode}");
        return exitCode;
    }

    private static HttpResponse Respond(HealthResult result) => HttpResponse.Text(result.Ok ? 200 : 503, result.Reason);

    private void OnHangup(PosixSignalContext context)
    {
        context.Cancel = true; // SIGHUP means "reload", as for PgBouncer itself: never exit on it
        if (_watcher is { } watcher && Volatile.Read(ref _signals) == 0)
        {
            AgentLog.Info("agent", "SIGHUP received: re-reading the mounted configuration now");
            watcher.RequestReload();
        }
        else if (Volatile.Read(ref _signals) == 0)
        {
            // still starting: the watcher is not there yet; a hand edit must not wait for the next poll (it may be an hour)
            Interlocked.Exchange(ref _hangupWhileStarting, 1);
            AgentLog.Info("agent", "SIGHUP received while starting: the mounted configuration is re-read once started");
            if (_watcher is { } started && Interlocked.Exchange(ref _hangupWhileStarting, 0) == 1)
            {
                started.RequestReload(); // the start finished meanwhile and did not see the flag
            }
        }
        else
        {
            AgentLog.Info("agent", "SIGHUP received: ignored (draining)");
        }
    }

    private void OnStopSignal(PosixSignalContext context)
    {
        context.Cancel = true; // the agent decides when to exit
        if (Interlocked.Increment(ref _signals) == 1)
        {
            AgentLog.Info("agent", $"{context.Signal} received");
            _drainRequested.TrySetResult();
        }
        else
        {
            AgentLog.Warn("agent", $"{context.Signal} received again: forcing exit");
            _drain?.Force();
        }
    }
}
