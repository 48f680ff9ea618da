using System.Globalization;
using SidePool.Api;

namespace SidePool.Core;

/// <summary>Builds the pool's status from what was observed (pure: no I/O, time is an input).</summary>
public static class StatusBuilder
{
    public static ConnectionPoolStatus Build(StatusInputs inputs)
    {
        var pool = inputs.Pool;
        var previous = pool.Status;
        var now = ConditionMerger.Truncate(inputs.Now);
        var generation = pool.Metadata.Generation;
        var current = inputs.Desired?.Short ?? previous?.CurrentVersion;
        var live = inputs.Pods.Where(p => !p.Finished).ToList();
        var injected = live.Where(p => p.Injected).ToList();
        var outdated = injected.Where(p => p.Version != current && !p.Terminating).ToList();
        var port = pool.Spec!.Sidecar.Port;
        var refused = live.Where(p => !p.Terminating && p.RefusedFor(port)).ToList();
        var missing = live.Where(p => !p.Injected && !p.Terminating && !p.RefusedFor(port)).ToList();
        var misinjected = outdated.Where(p => p.TemplateVersion == current).ToList();

        var versions = Versions(inputs, current, injected, now);
        var perPod = ServerConnectionBudget.PerPod(pool.Spec);
        var budget = pool.Spec.Backend?.MaxConnections;
        var liveBudget = budget is null ? null : inputs.Budget;
        var total = liveBudget?.Counted ?? perPod * injected.Count;

        var stall = Stall(inputs, current, live);
        var conditions = new List<Condition>();
        var old = previous?.Conditions;

        // Ready
        var notReady = injected.Count(p => !p.Ready && !p.Terminating);
        conditions.Add(inputs.Problem is { } problem
            ? ConditionMerger.Make(old, ConditionTypes.Ready, false, problem.Reason, problem.Message, generation, now)
            : missing.Count > 0
                ? ConditionMerger.Make(old, ConditionTypes.Ready, false, "SidecarMissing", $"{Count(missing.Count, "pod")} without the sidecar: {Names(missing)}", generation, now)
                : refused.Count > 0
                    ? ConditionMerger.Make(old, ConditionTypes.Ready, false, "PortInUse", $"{Count(refused.Count, "pod")} declare port {port} themselves and get no sidecar: {Names(refused)}", generation, now)
                : stall is { } s0
                    ? ConditionMerger.Make(old, ConditionTypes.Ready, false, s0.Reason, s0.Message, generation, now)
                    : notReady > 0
                        ? ConditionMerger.Make(old, ConditionTypes.Ready, false, "PodsNotReady", $"{Count(notReady, "pod")} not ready", generation, now)
                        : ConditionMerger.Make(old, ConditionTypes.Ready, true, "Ready", $"version {current}: {Count(injected.Count, "pod")} ready", generation, now));

        // Progressing
        var report = inputs.NotRestartable.Count > 0 ? $"; not restarted, replace them yourself: {string.Join(", ", inputs.NotRestartable.Take(10))}" : "";
        if (inputs.Problem is { } p1)
        {
            conditions.Add(ConditionMerger.Make(old, ConditionTypes.Progressing, false, p1.Reason, p1.Message, generation, now));
        }
        else if (stall is { } s1)
        {
            conditions.Add(ConditionMerger.Make(old, ConditionTypes.Progressing, false, s1.ProgressReason, s1.Message + report, generation, now));
        }
        else if (outdated.Count > 0 && pool.Spec.Rollout.Strategy == "Workload" && outdated.Any(o => o.Owner.IsRestartable))
        {
            var again = misinjected.Count > 0
                ? $"; {Count(misinjected.Count, "pod")} created for {current} got an older version (the webhook did not know {current} yet): their workloads are restarted again: {Names(misinjected)}"
                : "";
            conditions.Add(ConditionMerger.Make(old, ConditionTypes.Progressing, true, "RollingOut", $"{Count(outdated.Count, "pod")} on older versions, rolling to {current}{again}{report}", generation, now));
        }
        else if (outdated.Count > 0)
        {
            conditions.Add(ConditionMerger.Make(old, ConditionTypes.Progressing, false, "WaitingForNewPods", $"{Count(outdated.Count, "pod")} on older versions are not restarted (rollout.strategy {pool.Spec.Rollout.Strategy}); new pods get {current}{report}", generation, now));
        }
        else
        {
            conditions.Add(ConditionMerger.Make(old, ConditionTypes.Progressing, false, "RolloutComplete", $"every pod runs version {current}", generation, now));
        }

        // Degraded
        conditions.Add(inputs.Problem is { } p2
            ? ConditionMerger.Make(old, ConditionTypes.Degraded, true, p2.Reason, p2.Message, generation, now)
            : stall is { } s2
                ? ConditionMerger.Make(old, ConditionTypes.Degraded, true, s2.Reason, s2.Message, generation, now)
                : missing.Count > 0
                    ? ConditionMerger.Make(old, ConditionTypes.Degraded, true, "SidecarMissing", $"{Count(missing.Count, "pod")} match the pool but have no sidecar (created while the webhook was unavailable?): {Names(missing)}" + (pool.Spec.Rollout.RepairMissing ? "; their workloads are restarted" : "; set rollout.repairMissing to restart their workloads"), generation, now)
                    : ConditionMerger.Make(old, ConditionTypes.Degraded, false, "AsExpected", "no problem found", generation, now));

        // Conflict
        conditions.Add(refused.Count > 0
            ? ConditionMerger.Make(old, ConditionTypes.Conflict, true, "PortInUse", $"{Count(refused.Count, "pod")} declare port {port} themselves (containerPort or hostPort) and get no sidecar: {Names(refused)}; set sidecar.port to a free port" + (inputs.ConflictingPools.Count > 0 ? $"; pods are also selected by pools wanting the same port or env variables: {string.Join(", ", inputs.ConflictingPools)}" : ""), generation, now)
            : inputs.ConflictingPools.Count > 0
                ? ConditionMerger.Make(old, ConditionTypes.Conflict, true, "PodsSelectedByOtherPools", $"pods are also selected by pools wanting the same port or env variables (the older pool gets the port; a pool's env variables are set together or not at all): {string.Join(", ", inputs.ConflictingPools)}", generation, now)
                : ConditionMerger.Make(old, ConditionTypes.Conflict, false, "NoConflict", "no other pool selects these pods", generation, now));

        // BudgetExceeded
        conditions.Add(budget is null
            ? ConditionMerger.Make(old, ConditionTypes.BudgetExceeded, false, "NoBudget", "backend.maxConnections is not set", generation, now)
            : liveBudget is not null
                ? BudgetCondition(old, liveBudget, budget.Value, generation, now)
            : total > budget
                ? ConditionMerger.Make(old, ConditionTypes.BudgetExceeded, true, "OverBudget", $"{total} server connections possible ({perPod} per pod x {injected.Count} pods), budget {budget}", generation, now)
                : ConditionMerger.Make(old, ConditionTypes.BudgetExceeded, false, "WithinBudget", $"{total} of {budget} server connections", generation, now));

        // ClientsStuck (only when the agents are measured)
        if (inputs.Load is { } load)
        {
            var (stuck, reason, message) = StuckClients.Evaluate(load, pool.Spec.Pool.IdleTransactionTimeout);
            conditions.Add(ConditionMerger.Make(old, ConditionTypes.ClientsStuck, stuck, reason, message, generation, now));
            foreach (var version in versions)
            {
                version.Load = load.Versions.GetValueOrDefault(version.Version ?? "")?.ToStatus();
            }
        }

        return new ConnectionPoolStatus
        {
            ObservedGeneration = generation,
            CurrentVersion = current,
            Versions = versions,
            PodsPerVersion = PodsPerVersion(current, versions),
            Targets = new TargetsStatus
            {
                Workloads = live.Select(p => p.Owner).Where(o => o.Kind != WorkloadRef.Pod).Distinct().Count(),
                Pods = live.Count,
                Injected = injected.Count,
                Outdated = outdated.Count,
                Missing = missing.Count + refused.Count,
            },
            ServerConnections = new ServerConnectionsStatus
            {
                PerPod = perPod,
                Pods = injected.Count,
                Total = total,
                Budget = budget,
                Share = liveBudget?.Target.Share,
                PlannedPods = liveBudget?.Target.Pods,
                Admitted = liveBudget?.Admitted,
                Pending = liveBudget?.Pending,
                Unmanaged = liveBudget?.Unmanaged,
            },
            Recommendation = Advice(inputs, current, liveBudget, now),
            Conditions = conditions,
        };
    }

    /// <summary>Sizing advice for the current version; its <c>since</c> holds while the reason and size stay.</summary>
    private static RecommendationStatus? Advice(StatusInputs inputs, string? current, BudgetReport? budget, DateTimeOffset now)
    {
        if (inputs.Load is not { } load || current is null)
        {
            return null;
        }

        var spec = inputs.Pool.Spec!;
        var advice = Recommender.Recommend(spec.Pool, current, load.Versions.GetValueOrDefault(current), budget?.Target, spec.Backend?.MaxConnections);
        var old = inputs.Pool.Status?.Recommendation;
        var same = old is not null && old.Version == current && old.Reason == advice.Reason && old.SuggestedPoolSize == advice.SuggestedPoolSize;
        return new RecommendationStatus
        {
            Version = current,
            Reason = advice.Reason,
            PoolSize = advice.PoolSize,
            SuggestedPoolSize = advice.SuggestedPoolSize,
            BudgetAllows = advice.BudgetAllows,
            Message = advice.Message,
            Since = same ? old!.Since : now,
        };
    }

    /// <summary>The live budget's condition: ShareBelowOne or OverBudget (True), Rebalancing or WithinBudget (False).</summary>
    private static Condition BudgetCondition(IReadOnlyList<Condition>? old, BudgetReport report, int budget, long? generation, DateTimeOffset now)
    {
        var unreachable = report.Unreachable.Count > 0
            ? $"; agents not answering (counted at their last acknowledged share or worst case): {string.Join(", ", report.Unreachable.Order(StringComparer.Ordinal).Take(5))}{(report.Unreachable.Count > 5 ? ", ..." : "")}"
            : "";
        var pending = report.Pending > 0 ? $"; {Count(report.Pending, "pod")} not admitted yet (clients wait)" : "";
        if (report.Counted > budget)
        {
            return ConditionMerger.Make(old, ConditionTypes.BudgetExceeded, true, "OverBudget", $"{report.Counted} server connections possible as acknowledged ({report.Unmanaged} unmanaged pods, and agents that have not answered, at their worst case), budget {budget}{pending}{unreachable}", generation, now);
        }

        if (report.Target.Share is null)
        {
            return ConditionMerger.Make(old, ConditionTypes.BudgetExceeded, true, "ShareBelowOne", $"{report.Target.Problem}: no pod grows and new pods are not admitted; raise backend.maxConnections or run fewer pods{pending}{unreachable}", generation, now);
        }

        var split = $"share {report.Target.Share} x {report.Target.Entries} entries for {Count(report.Target.Pods, "pod")}";
        return report.Plan.Converged
            ? ConditionMerger.Make(old, ConditionTypes.BudgetExceeded, false, "WithinBudget", $"{report.Counted} of {budget} server connections ({split}){unreachable}", generation, now)
            : ConditionMerger.Make(old, ConditionTypes.BudgetExceeded, false, "Rebalancing", $"{report.Counted} of {budget} server connections while moving to {split}: shrinks first, then grows and admissions{pending}{unreachable}", generation, now);
    }

    /// <summary>"current:n other:m …": the current version always, others while they have pods.</summary>
    private static string PodsPerVersion(string? current, List<PoolVersionStatus> versions) =>
        string.Join(' ', versions
            .Where(v => v.Version == current || v.Pods > 0)
            .OrderByDescending(v => v.Version == current)
            .Select(v => string.Create(CultureInfo.InvariantCulture, $"{v.Version}:{v.Pods ?? 0}")));

    private static List<PoolVersionStatus> Versions(StatusInputs inputs, string? current, List<ObservedPod> injected, DateTimeOffset now)
    {
        var previous = (inputs.Pool.Status?.Versions ?? []).Where(v => v.Version is not null).GroupBy(v => v.Version!).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var secrets = inputs.VersionSecrets.GroupBy(v => v.Short).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var names = new SortedSet<string>(previous.Keys, StringComparer.Ordinal);
        names.UnionWith(injected.Select(p => p.Version!));
        names.UnionWith(secrets.Keys);
        if (current is not null)
        {
            names.Add(current);
        }

        var result = new List<PoolVersionStatus>();
        foreach (var name in names)
        {
            previous.TryGetValue(name, out var old);
            secrets.TryGetValue(name, out var secret);
            var pods = injected.Where(p => p.Version == name).ToList();
            var isCurrent = name == current;
            var state = isCurrent ? VersionStates.Current : pods.Count > 0 ? VersionStates.Draining : VersionStates.Retired;
            if (state == VersionStates.Retired && old is null && secret is null)
            {
                continue;
            }

            var hash = isCurrent && inputs.Desired is { } desired ? desired.Hash : secret?.Hash ?? old?.Hash;
            var revision = isCurrent && inputs.Desired is { } d2 ? d2.ConfigRevision : secret?.ConfigRevision ?? old?.ConfigRevision;
            result.Add(new PoolVersionStatus
            {
                Version = name,
                Hash = hash,
                ConfigRevision = revision,
                State = state,
                CreatedAt = old?.CreatedAt ?? (secret?.CreatedAt is { } c ? ConditionMerger.Truncate(c) : now),
                DrainingSince = state == VersionStates.Draining ? old?.DrainingSince ?? now : state == VersionStates.Retired ? old?.DrainingSince : null,
                RetiredAt = state == VersionStates.Retired ? old?.RetiredAt ?? now : null,
                Pods = pods.Count,
                ReadyPods = pods.Count(p => p.Ready && !p.Terminating),
                TerminatingPods = pods.Count(p => p.Terminating),
            });
        }

        var active = result.Where(v => v.State != VersionStates.Retired)
            .OrderBy(v => v.State == VersionStates.Current ? 0 : 1)
            .ThenByDescending(v => v.CreatedAt)
            .ThenBy(v => v.Version, StringComparer.Ordinal);
        var retired = result.Where(v => v.State == VersionStates.Retired)
            .OrderByDescending(v => v.RetiredAt)
            .ThenByDescending(v => v.CreatedAt)
            .ThenBy(v => v.Version, StringComparer.Ordinal)
            .Take(inputs.RetiredToKeep);
        return [.. active, .. retired];
    }

    private sealed record StallInfo(string Reason, string ProgressReason, string Message);

    private static StallInfo? Stall(StatusInputs inputs, string? current, List<ObservedPod> live)
    {
        var stuck = live.Where(p => p.Version == current && !p.Ready && !p.Terminating && p.CreatedAt is { } created && inputs.Now - created > inputs.StallTimeout).ToList();
        var deadline = inputs.Workloads.Where(w => w.ProgressDeadlineExceeded).ToList();
        if (stuck.Count == 0 && deadline.Count == 0)
        {
            return null;
        }

        var withReason = stuck.FirstOrDefault(p => p.SidecarReason is not null) ?? live.FirstOrDefault(p => p.Version == current && !p.Ready && p.SidecarReason is not null);
        var reason = withReason?.SidecarReason is { } r ? ConditionMerger.Reason(r) : deadline.Count > 0 ? "ProgressDeadlineExceeded" : "RolloutStalled";
        var parts = new List<string>();
        if (deadline.Count > 0)
        {
            parts.Add($"{string.Join(", ", deadline.Select(d => d.Ref))} exceeded the progress deadline");
        }

        if (stuck.Count > 0)
        {
            parts.Add($"{Count(stuck.Count, "pod")} of version {current} not ready for more than {inputs.StallTimeout.TotalMinutes.ToString("0.##", CultureInfo.InvariantCulture)}m: {Names(stuck)}");
        }

        if (withReason is not null)
        {
            parts.Add($"sidecar of {withReason.Name}: {withReason.SidecarReason}{(withReason.SidecarMessage is { Length: > 0 } m ? ": " + m : "")}");
        }

        return new StallInfo(reason, deadline.Count > 0 ? "ProgressDeadlineExceeded" : "RolloutStalled", string.Join("; ", parts));
    }

    private static string Names(List<ObservedPod> pods) =>
        string.Join(", ", pods.Select(p => p.Name).Order(StringComparer.Ordinal).Take(5)) + (pods.Count > 5 ? ", ..." : "");

    private static string Count(int n, string noun) => n == 1 ? $"1 {noun}" : $"{n} {noun}s";
}
