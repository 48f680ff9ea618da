using SidePool.Api;
using SidePool.Core;
using SidePool.Kubernetes.Client;
using SidePool.Kubernetes.Runtime.Informers;
using SidePool.Operator.Telemetry;

namespace SidePool.Operator.Controller;

/// <summary>
/// The status: builds it (<see cref="StatusBuilder"/>, pure), writes it only when it differs from the one the pool
/// has, and records the events the change means (<see cref="EventPlanner"/>, pure) and the version gauges.
/// </summary>
public sealed class PoolStatusWriter(IKubernetesClient client, EventRecorder events, OperatorMetrics metrics)
{
    private readonly IResourceClient<ConnectionPool> _pools = client.Resource(ConnectionPoolResource.Type);

    public async Task<ConnectionPoolStatus> WriteAsync(StatusInputs inputs, CancellationToken cancellationToken)
    {
        var pool = inputs.Pool;
        var status = StatusBuilder.Build(inputs);
        metrics.Versions(
            ObjectKey.Of(pool).ToString(),
            status.Versions!.Count(v => v.State == VersionStates.Current),
            status.Versions!.Count(v => v.State == VersionStates.Draining),
            status.Versions!.Count(v => v.State == VersionStates.Retired));
        metrics.Health(
            ObjectKey.Of(pool).ToString(),
            (status.Conditions ?? []).Where(c => c.Status == "True").Select(c => c.Type),
            status.Targets?.Outdated ?? 0,
            status.Targets?.Missing ?? 0);

        if (!StatusComparer.Same(pool.Status, status))
        {
            await _pools.ReplaceStatusAsync(pool with { Status = status }, cancellationToken: cancellationToken);
            foreach (var poolEvent in EventPlanner.Plan(pool.Status, status))
            {
                await events.RecordAsync(pool, poolEvent, cancellationToken);
            }
        }

        return status;
    }
}
