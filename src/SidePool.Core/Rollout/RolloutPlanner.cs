using System.Globalization;
using SidePool.Api;
using SidePool.Contract;

namespace SidePool.Core;

/// <summary>
/// Decides which workloads to stamp (pure). Strategy <c>Workload</c>: every Deployment, StatefulSet or DaemonSet with a
/// pod on another version gets <c>sidepool.dev/version-&lt;pool&gt;</c> = current short version on its pod template
/// (once: a template already carrying it is rolling). The caller plans only once that version is published, so the
/// webhook can inject the version the template names. A pod created from a template that names the current version
/// but running another one (admitted while the webhook did not know the version yet) is re-planned: its workload gets
/// <c>sidepool.dev/repair-&lt;pool&gt;</c> = now. So does a workload with pods lacking the sidecar when
/// <c>repairMissing</c> is set. A repair is not repeated while the previous one is still rolling (a pod older than the
/// stamp is among those it should replace) or younger than <paramref name="repairInterval"/> (the webhook may be down).
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
        var versionKey = VersionContract.Annotations.TemplateVersion(name);
        var repairKey = VersionContract.Annotations.Repair(name);
        var stamps = new List<TemplateStamp>();
        var notRestartable = new SortedSet<string>(StringComparer.Ordinal);
        var reported = new List<WorkloadRef>();

        foreach (var group in pods.Where(p => !p.Terminating && !p.Finished).GroupBy(p => p.Owner).OrderBy(g => g.Key.ToString(), StringComparer.Ordinal))
        {
            var outdated = group.Where(p => p.Injected && p.Version != currentVersion).ToList();
            var misinjected = outdated.Where(p => p.TemplateVersion == currentVersion).ToList();
            var missing = group.Where(p => !p.Injected && !p.RefusedFor(pool.Spec.Sidecar.Port)).ToList();
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
            if (rollout.Strategy == "Workload" && annotations.Count == 0 && misinjected.Count > 0 && RepairDue(state, repairKey, misinjected, now, repairInterval))
            {
                annotations[repairKey] = now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
                repair = true;
            }
            else if (missing.Count > 0 && rollout.RepairMissing && annotations.Count == 0 && RepairDue(state, repairKey, missing, now, repairInterval))
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

    private static bool RepairDue(WorkloadState state, string repairKey, List<ObservedPod> toReplace, DateTimeOffset now, TimeSpan repairInterval)
    {
        if (!state.TemplateAnnotations.TryGetValue(repairKey, out var text) ||
            !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var stampedAt))
        {
            return true;
        }

        // A pod from before the stamp: the repair is still replacing pods.
        if (toReplace.Any(p => p.CreatedAt is { } created && created < stampedAt))
        {
            return false;
        }

        return now - stampedAt >= repairInterval;
    }
}
