using System.Globalization;
using SidePool.Agent.Configuration;
using SidePool.Agent.Health;
using SidePool.Agent.Telemetry;
using SidePool.PgBouncer.Admin;

namespace SidePool.Agent;

/// <summary>
/// Applies a changed mount: validates it, RELOADs PgBouncer, then checks with SHOW CONFIG that PgBouncer really
/// runs the new values (before 1.25 a file that fails to load is silently ignored). A rejected or failed change
/// leaves PgBouncer serving the previous revision (PgBouncer 1.18 keeps the settings it read before a bad line,
/// which the log line says); readiness is unaffected.
/// </summary>
internal sealed class ConfigReloader(AgentState state, AgentMetrics metrics, ReadinessCheck readiness, PgBouncerSupervisor supervisor)
{
    private static readonly HashSet<string> TextSettingsToVerify = new(StringComparer.Ordinal)
    {
        "pool_mode", "auth_type", "server_tls_sslmode", "server_check_query",
    };

    public async Task OnChangeAsync(ConfigSnapshot snapshot, CancellationToken cancellationToken)
    {
        if (state.IsDraining || state.AppliedConfig is not { } current || state.Admin is not { } admin)
        {
            return;
        }

        if (snapshot.Config is not { } next)
        {
            metrics.Reload("invalid");
            AgentLog.Error("reload", $"mounted configuration rejected: {snapshot.Problem}; pgbouncer keeps serving revision {current.ShortRevision}");
            return;
        }

        AgentLog.Info("reload", $"mounted configuration changed: revision {current.ShortRevision} -> {next.ShortRevision}");
        var pending = ChangedRestartSettings(state.RunningRestartSettings, next.Settings.RestartSettings);
        if (pending.Count > 0 && !pending.SequenceEqual(state.RestartPending))
        {
            metrics.PendingRestart();
            AgentLog.Warn("reload", $"settings pgbouncer applies only at start changed ({string.Join(", ", pending)}): they take effect when the pod is replaced (restart pending)");
        }

        state.RestartPending = pending;
        var loadFailuresBefore = supervisor.ConfigLoadFailures;
        try
        {
            await admin.ReloadAsync(cancellationToken);
            var nextAdmin = new PgBouncerAdminClient(admin.Endpoint with { Password = next.AdminPassword });
            IReadOnlyList<ConfigSetting> running;
            try
            {
                running = await nextAdmin.ShowConfigAsync(cancellationToken);
            }
            catch (PgBouncerAdminException)
            {
                running = await admin.ShowConfigAsync(cancellationToken); // the new file did not take: old credentials still work
            }

            var mismatches = Mismatches(next.Ini, running);
            await Task.Delay(100, cancellationToken); // PgBouncer logged any load error before answering; let the log reader catch up
            if (supervisor.ConfigLoadFailures != loadFailuresBefore)
            {
                mismatches = [.. mismatches.Prepend("pgbouncer logged 'config file loading failed' (settings before the bad line may already be in effect)")];
            }

            if (mismatches.Count > 0)
            {
                metrics.Reload("failed");
                AgentLog.Error("reload", $"RELOAD of revision {next.ShortRevision} did not take effect: {string.Join("; ", mismatches)}; the agent still reports revision {current.ShortRevision} (see pgbouncer's log above)");
                return;
            }
        }
        catch (Exception e) when (e is PgBouncerAdminException or IOException or System.Net.Sockets.SocketException)
        {
            metrics.Reload("failed");
            AgentLog.Error("reload", $"RELOAD of revision {next.ShortRevision} failed: {e.Message}; still serving revision {current.ShortRevision}");
            return;
        }

        state.Apply(next);
        readiness.Invalidate();
        metrics.Reload("applied");
        AgentLog.Info("reload", $"configuration revision {next.ShortRevision} applied (was {current.ShortRevision})");
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
