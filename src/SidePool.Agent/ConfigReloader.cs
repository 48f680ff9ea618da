using System.Globalization;
using SidePool.Agent.Configuration;
using SidePool.Agent.Health;
using SidePool.Agent.Telemetry;
using SidePool.PgBouncer.Admin;

namespace SidePool.Agent;

/// <summary>
/// Applies a changed mount: validates it, writes the private copy PgBouncer runs on (restart-only settings pinned
/// to the running values), RELOADs PgBouncer, then checks with SHOW CONFIG that PgBouncer really runs the new
/// values (before 1.25 a file that fails to load is silently ignored). A rejected mount never reaches the private
/// copy; a failed RELOAD puts the previous copy back and RELOADs it, so PgBouncer and a later crash restart keep
/// the previous revision. Readiness is unaffected either way.
/// </summary>
internal sealed class ConfigReloader(AgentState state, AgentMetrics metrics, ReadinessCheck readiness, PgBouncerSupervisor supervisor, RuntimeDirectory runtime)
{
    private static readonly TimeSpan ReloadBudget = TimeSpan.FromSeconds(30);

    private static readonly HashSet<string> TextSettingsToVerify = new(StringComparer.Ordinal)
    {
        "pool_mode", "auth_type", "server_tls_sslmode", "server_check_query",
    };

    /// <summary>Handles one snapshot of the mount; <paramref name="requested"/> when SIGHUP asked for it.</summary>
    public async Task OnChangeAsync(ConfigSnapshot snapshot, bool requested, CancellationToken cancellationToken)
    {
        if (state.IsDraining || state.AppliedConfig is null)
        {
            return;
        }

        await state.RuntimeGate.WaitAsync(cancellationToken);
        try
        {
            await ApplyAsync(snapshot, requested, cancellationToken);
        }
        finally
        {
            state.RuntimeGate.Release();
        }
    }

    private async Task ApplyAsync(ConfigSnapshot snapshot, bool requested, CancellationToken cancellationToken)
    {
        if (state.AppliedConfig is not { } current || state.Admin is null || state.IsDraining)
        {
            return;
        }

        if (snapshot.Config is not { } next)
        {
            metrics.Reload("invalid");
            AgentLog.Error("reload", $"mounted configuration rejected: {snapshot.Problem}; pgbouncer keeps serving revision {current.ShortRevision} (the rejected files are not handed to pgbouncer)");
            return;
        }

        if (requested && next.ContentHash == current.ContentHash)
        {
            AgentLog.Info("reload", $"mounted configuration unchanged: still revision {current.ShortRevision}");
            return;
        }

        AgentLog.Info("reload", $"mounted configuration changed: revision {current.ShortRevision} -> {next.ShortRevision}");
        var pending = ChangedRestartSettings(state.RunningRestartSettings, runtime.RequestedRestartSettings(next));
        if (pending.Count > 0 && !pending.SequenceEqual(state.RestartPending))
        {
            metrics.PendingRestart();
            AgentLog.Warn("reload", $"settings pgbouncer applies only at start changed ({string.Join(", ", pending)}): pgbouncer keeps its running values (also after a crash) until the pod is replaced (restart pending)");
        }

        state.RestartPending = pending;
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        budget.CancelAfter(ReloadBudget);
        var loadFailuresBefore = supervisor.ConfigLoadFailures;
        try
        {
            state.ExpectAdminPasswordOf(next);
            if (next.Settings.Budget is null && runtime.Share is not null)
            {
                // backend.maxConnections was removed: the pool's own sizes apply again, and a pod never admitted resumes
                AgentLog.Info("budget", "the connection budget was removed from the pool: pgbouncer runs the pool's own sizes again");
                runtime.Share = null;
            }

            var written = runtime.Write(next, state.RunningRestartSettings);
            await state.Admin!.ReloadAsync(budget.Token);
            if (runtime.Share is null && state.BudgetPaused)
            {
                await state.Admin!.ResumeAsync(cancellationToken: budget.Token);
                state.BudgetPaused = false;
            }
            var nextAdmin = state.AdminFor(next);
            IReadOnlyList<ConfigSetting> running;
            try
            {
                running = await nextAdmin.ShowConfigAsync(budget.Token);
            }
            catch (PgBouncerAdminException)
            {
                running = await state.Admin!.ShowConfigAsync(budget.Token); // the new file did not take: the applied credentials still work
            }

            var mismatches = Mismatches(written.Ini, running);
            await Task.Delay(100, budget.Token); // PgBouncer logged any load error before answering; let the log reader catch up
            if (supervisor.ConfigLoadFailures != loadFailuresBefore)
            {
                mismatches = [.. mismatches.Prepend("pgbouncer logged 'config file loading failed' (settings before the bad line may already be in effect)")];
            }

            if (mismatches.Count > 0)
            {
                metrics.Reload("failed");
                AgentLog.Error("reload", $"RELOAD of revision {next.ShortRevision} did not take effect: {string.Join("; ", mismatches)}; putting revision {current.ShortRevision} back (see pgbouncer's log above)");
                await RestoreAsync(current, cancellationToken);
                return;
            }
        }
        catch (Exception e) when (e is PgBouncerAdminException or IOException or UnauthorizedAccessException or System.Net.Sockets.SocketException
                                      || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            metrics.Reload("failed");
            AgentLog.Error("reload", $"RELOAD of revision {next.ShortRevision} failed: {e.Message}; putting revision {current.ShortRevision} back");
            await RestoreAsync(current, cancellationToken);
            return;
        }

        state.Apply(next);
        readiness.Invalidate();
        metrics.Reload("applied");
        AgentLog.Info("reload", $"configuration revision {next.ShortRevision} applied (was {current.ShortRevision})");
    }

    /// <summary>Writes the applied configuration's private copy again and RELOADs it (best effort: a crash restart uses the copy anyway).</summary>
    private async Task RestoreAsync(MountedConfig current, CancellationToken cancellationToken)
    {
        try
        {
            runtime.Write(current, state.RunningRestartSettings);
            using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            budget.CancelAfter(ReloadBudget);
            await state.Admin!.ReloadAsync(budget.Token); // PgBouncer may hold the rejected revision's admin password: the alternate
        }
        catch (Exception e) when (e is PgBouncerAdminException or IOException or UnauthorizedAccessException or System.Net.Sockets.SocketException
                                      || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            AgentLog.Warn("reload", $"could not RELOAD revision {current.ShortRevision} again ({e.Message}); its private copy is in place for the next RELOAD or restart");
        }
        finally
        {
            state.ExpectAdminPasswordOf(null);
        }
    }

    internal static IReadOnlyList<string> ChangedRestartSettings(IReadOnlyDictionary<string, string> running, IReadOnlyDictionary<string, string> mounted) =>
        [.. running.Keys.Union(mounted.Keys)
            .Where(key => running.GetValueOrDefault(key) != mounted.GetValueOrDefault(key))
            .Order(StringComparer.Ordinal)];

    /// <summary>Reloadable settings whose running value differs from the file (numbers and a few keywords are compared).</summary>
    internal static IReadOnlyList<string> Mismatches(PgBouncerIni expected, IReadOnlyList<ConfigSetting> running)
    {
        var byKey = running.ToDictionary(s => s.Key, StringComparer.Ordinal);
        var mismatches = new List<string>();
        foreach (var (key, value) in expected.Settings)
        {
            if (!byKey.TryGetValue(key, out var setting) || !setting.Changeable)
            {
                continue;
            }

            var same = IsNumber(value, out var expectedNumber) && IsNumber(setting.Value, out var runningNumber)
                ? Math.Abs(expectedNumber - runningNumber) < 1e-6
                : !TextSettingsToVerify.Contains(key) || string.Equals(value, setting.Value, StringComparison.OrdinalIgnoreCase);
            if (!same)
            {
                mismatches.Add($"{key} is '{setting.Value}', the file says '{value}'");
            }
        }

        return mismatches;
    }

    private static bool IsNumber(string text, out double value) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
}
