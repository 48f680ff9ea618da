using System.Globalization;
using System.Text;
using System.Text.Json;
using SidePool.Agent.Configuration;
using SidePool.Agent.Http;
using SidePool.Contract;
using SidePool.PgBouncer.Admin;

namespace SidePool.Agent.Budget;

/// <summary>
/// The agent's side of the live connection budget (docs/budget.md): <c>PUT /budget</c> applies a share delivered by the
/// operator (signed with the version's budget key, epochs only grow) by rewriting the reloadable pool settings of the
/// private copy and RELOADing; <c>GET /budget</c> reports the share in force and the server connections PgBouncer holds.
/// A pod whose version has a budget key starts with PgBouncer paused (share 0) until the first share arrives.
/// </summary>
internal sealed class ShareKeeper(AgentState state, RuntimeDirectory runtime)
{
    private static readonly TimeSpan AdminBudget = TimeSpan.FromSeconds(10);
    private long _epoch;

    /// <summary>Before PgBouncer's first start: a budgeted version starts not admitted (share 0).</summary>
    public static void Prepare(MountedConfig config, RuntimeDirectory runtime)
    {
        if (config.Settings.Budget is not null)
        {
            runtime.Share = 0;
            AgentLog.Info("budget", "this version has a connection budget: pgbouncer starts paused until the operator delivers this pod's share (clients wait)");
        }
    }

    /// <summary>
    /// PAUSEs a PgBouncer that was just (re)started while the pod is not admitted. The whole PgBouncer, not each
    /// database: on 1.18 a client whose login waits during <c>PAUSE db</c> is never woken by <c>RESUME db</c> (its
    /// login waits for the pool's first server connection, and the partial resume does not launch it; measured here),
    /// while a global <c>RESUME</c> lets it log in.
    /// </summary>
    public static async Task PauseAsync(PgBouncerAdminClient admin, AgentState state, CancellationToken cancellationToken)
    {
        await admin.PauseAsync(cancellationToken: cancellationToken);
        state.BudgetPaused = true;
    }

    public async Task<HttpResponse> HandleAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var key = state.AppliedConfig?.Settings.Budget?.Key;
        if (key is not { Length: > 0 })
        {
            return HttpResponse.Text(404, "no connection budget: this pod's version has no budget key (backend.maxConnections was not set when it was built)");
        }

        var signature = request.Header(VersionContract.Budget.SignatureHeader);
        if (request.Method is "GET" or "HEAD")
        {
            if (!BudgetMessages.Verify(key, BudgetMessages.GetPayload, signature))
            {
                AgentLog.Warn("budget", "GET /budget with a missing or bad signature refused");
                return HttpResponse.Text(401, "bad signature");
            }

            return Json(200, await CurrentAsync(cancellationToken));
        }

        if (request.Method != "PUT")
        {
            return HttpResponse.Text(405, "method not allowed: GET or PUT");
        }

        if (!BudgetMessages.Verify(key, request.Body, signature))
        {
            AgentLog.Warn("budget", "PUT /budget with a missing or bad signature refused: nothing changed");
            return HttpResponse.Text(401, "bad signature");
        }

        BudgetRequest wanted;
        try
        {
            wanted = BudgetMessages.ParseRequest(Encoding.UTF8.GetString(request.Body));
        }
        catch (JsonException e)
        {
            return HttpResponse.Text(400, $"bad budget request: {e.Message}");
        }

        if (wanted.Share < 1)
        {
            return HttpResponse.Text(400, $"share must be at least 1, got {wanted.Share.ToString(CultureInfo.InvariantCulture)}");
        }

        if (state.IsDraining || state.Admin is not { } admin || state.AppliedConfig is not { } applied)
        {
            return HttpResponse.Text(503, "not applying a share: the pod is terminating or pgbouncer is not running");
        }

        await state.RuntimeGate.WaitAsync(cancellationToken);
        try
        {
            var epoch = Interlocked.Read(ref _epoch);
            if (wanted.Epoch < epoch || (wanted.Epoch == epoch && wanted.Share != runtime.Share))
            {
                return Json(409, await CurrentAsync(cancellationToken));
            }

            if (wanted.Epoch > epoch)
            {
                var before = runtime.Share;
                using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                budget.CancelAfter(AdminBudget);
                try
                {
                    runtime.Share = wanted.Share;
                    runtime.Write(applied, state.RunningRestartSettings);
                    await admin.ReloadAsync(budget.Token);
                    if (state.BudgetPaused)
                    {
                        await admin.ResumeAsync(cancellationToken: budget.Token);
                        state.BudgetPaused = false;
                    }
                }
                catch (Exception e) when (e is PgBouncerAdminException or IOException or UnauthorizedAccessException or System.Net.Sockets.SocketException
                                              || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
                {
                    runtime.Share = before;
                    Restore(applied);
                    AgentLog.Error("budget", $"share {wanted.Share.ToString(CultureInfo.InvariantCulture)} (epoch {wanted.Epoch.ToString(CultureInfo.InvariantCulture)}) not applied: {e.Message}");
                    return HttpResponse.Text(503, $"share not applied: {e.Message}");
                }

                Interlocked.Exchange(ref _epoch, wanted.Epoch);
                AgentLog.Info("budget", $"share {Describe(before)} -> {wanted.Share.ToString(CultureInfo.InvariantCulture)} server connections per database entry (epoch {wanted.Epoch.ToString(CultureInfo.InvariantCulture)}){(before == 0 ? ": admitted, pgbouncer resumed" : "")}");
            }
        }
        finally
        {
            state.RuntimeGate.Release();
        }

        return Json(200, await CurrentAsync(cancellationToken));
    }

    private void Restore(MountedConfig applied)
    {
        try
        {
            runtime.Write(applied, state.RunningRestartSettings); // the next RELOAD or restart uses the previous share
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            AgentLog.Warn("budget", $"could not write the private copy back: {e.Message}");
        }
    }

    private static string Describe(int? share) => share switch
    {
        null => "unmanaged",
        0 => "0 (not admitted)",
        { } s => s.ToString(CultureInfo.InvariantCulture),
    };

    private async Task<BudgetState> CurrentAsync(CancellationToken cancellationToken)
    {
        var ini = state.Running?.Ini;
        var entries = ini?.Databases.Count ?? 0;
        var share = runtime.Share ?? Unmanaged(ini);
        var servers = 0;
        if (state.Admin is { } admin && state.PgBouncerRunning)
        {
            using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            budget.CancelAfter(AdminBudget);
            var pools = await admin.ShowPoolsAsync(budget.Token);
            servers = (int)pools.Where(p => p.Database != "pgbouncer")
                .Sum(p => p.ServerActive + p.ServerIdle + p.ServerUsed + p.ServerTested + p.ServerLogin);
        }

        return new BudgetState
        {
            Epoch = Interlocked.Read(ref _epoch),
            Share = share,
            Entries = entries,
            Servers = servers,
            Settled = servers <= share * entries,
        };
    }

    /// <summary>A pod that started before its version had a key runs its rendered sizes: that is its limit per entry.</summary>
    private static int Unmanaged(PgBouncerIni? ini)
    {
        int Number(string key, int fallback) =>
            int.TryParse(ini?.Setting(key), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : fallback;

        var sizes = Number("default_pool_size", 20) + Number("reserve_pool_size", 0);
        var maxDb = Number("max_db_connections", 0);
        return maxDb > 0 ? Math.Min(maxDb, sizes) : sizes;
    }

    private static HttpResponse Json(int status, BudgetState current) => new(status, "application/json", BudgetMessages.ToJson(current) + "\n");
}
