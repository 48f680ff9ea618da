using Microsoft.Extensions.Logging;
using SidePool.Api;
using SidePool.Core;
using SidePool.Operator.Telemetry;

namespace SidePool.Operator.Controller;

/// <summary>
/// The rollout: applies a <see cref="RolloutPlan"/> (pure, <see cref="RolloutPlanner"/>) by merge-patching the
/// pod-template annotations of the workloads it names, and records one event for them.
/// </summary>
public sealed class RolloutStamper(Workloads workloads, EventRecorder events, OperatorMetrics metrics, ILogger logger)
{
    public async Task StampAsync(ConnectionPool pool, RolloutPlan plan, CancellationToken cancellationToken)
    {
        var ns = pool.Metadata.NamespaceProperty!;
        var stamped = new List<string>();
        foreach (var stamp in plan.Stamps)
        {
            if (!await workloads.PatchTemplateAnnotationsAsync(ns, stamp.Workload, stamp.Annotations.ToDictionary(a => a.Key, a => (string?)a.Value), cancellationToken))
            {
                continue;
            }

            metrics.Stamped(stamp.Repair);
            stamped.Add(stamp.Workload.ToString());
            logger.LogInformation("Stamped {Workload} in {Namespace} for pool {Pool} ({Reason}).", stamp.Workload, ns, pool.Metadata.Name, stamp.Repair ? "repair" : "rollout");
        }

        if (stamped.Count > 0)
        {
            var repair = plan.Stamps.All(s => s.Repair);
            await events.RecordAsync(
                pool,
                new PoolEvent(
                    "Normal",
                    repair ? "RepairStarted" : "RolloutStarted",
                    repair ? "RestartWorkloads" : "StampWorkloads",
                    $"{(repair ? "restarting workloads whose pods lack the sidecar or run a version other than the one they were created for" : "rolling out the current version")}: {string.Join(", ", stamped.Take(10))}{(stamped.Count > 10 ? $" and {stamped.Count - 10} more" : "")}"),
                cancellationToken);
        }
    }
}
