using System.Globalization;
using SidePool.Api;

namespace SidePool.Reconciliation;

/// <summary>
/// Decides which workloads to stamp (pure). Strategy <c>Workload</c>: every Deployment, StatefulSet or DaemonSet with a
/// pod on another version gets <c>sidepool.dev/version-&lt;pool&gt;</c> = current short version on its pod template
/// (once: a template already carrying it is rolling). <c>repairMissing</c>: a workload with pods lacking the sidecar gets
/// <c>sidepool.dev/repair-&lt;pool&gt;</c> = now, unless a repair it got is still rolling (a missing pod older than the
/// stamp) or is younger than <paramref name="repairInterval"/> (the webhook may still be down).
/// </summary>
public static class RolloutPlanner
{
    public static RolloutPlan Plan(
        ConnectionPool pool,
        string currentVersion,
        IReadOnlyList<ObservedPod> pods,
        Func<WorkloadRef, WorkloadState?> workload,
        DateTimeOffset now,
        TimeSpan repairInterval)
    {
        var name = pool.Metadata.Name!;
        var rollout = pool.Spec!.Rollout;
        var versionKey = PoolNames.TemplateAnnotation(name);
        var repairKey = PoolNames.RepairAnnotation(name);
        var stamps = new List<TemplateStamp>();
        var notRestartable = new SortedSet<string>(StringComparer.Ordinal);
        var reported = new List<WorkloadRef>();

        foreach (var group in pods.Where(p => !p.Terminating && !p.Finished).GroupBy(p => p.Owner).OrderBy(g => g.Key.ToString(), StringComparer.Ordinal))
        {
            var outdated = group.Where(p => p.Injected && p.Version != currentVersion).ToList();
            var missing = group.Where(p => !p.Injected).ToList();
            if (outdated.Count == 0 && missing.Count == 0)
            {
                continue;
            }

            var state = group.Key.IsRestartable ? workload(group.Key) : null;
            if (state is null)
            {
                if (notRestartable.Add(group.Key.ToString()))
                {
                    reported.Add(group.Key);
                }

                continue;
            }

            var annotations = new Dictionary<string, string>(StringComparer.Ordinal);
            if (outdated.Count > 0 && rollout.Strategy == "Workload" && state.TemplateAnnotations.GetValueOrDefault(versionKey) != currentVersion)
            {
                annotations[versionKey] = currentVersion;
            }

            var repair = false;
            if (missing.Count > 0 && rollout.RepairMissing && annotations.Count == 0 && RepairDue(state, repairKey, missing, now, repairInterval))
            {
                annotations[repairKey] = now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
                repair = true;
            }

            if (annotations.Count > 0)
            {
                stamps.Add(new TemplateStamp(group.Key, annotations, repair));
            }
        }

        return new RolloutPlan { Stamps = stamps, NotRestartable = reported };
    }

    private static bool RepairDue(WorkloadState state, string repairKey, List<ObservedPod> missing, DateTimeOffset now, TimeSpan repairInterval)
    {
        if (!state.TemplateAnnotations.TryGetValue(repairKey, out var text) ||
            !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var stampedAt))
        {
            return true;
        }

        // A missing pod from before the stamp: the repair is still replacing pods.
        if (missing.Any(p => p.CreatedAt is { } created && created < stampedAt))
        {
            return false;
        }

        return now - stampedAt >= repairInterval;
    }
}
