using System.Globalization;
using Microsoft.Extensions.Logging;
using SidePool.Api;
using SidePool.Core;
using SidePool.Kubernetes.Client;

namespace SidePool.Operator.Controller;

/// <summary>Records events.k8s.io/v1 Events about pools. Failures are logged, never fatal.</summary>
public sealed class EventRecorder(IKubernetesClient client, string identity, TimeProvider time, ILogger logger)
{
    public const string ReportingController = "sidepool.dev/operator";

    private readonly IResourceClient<Event> _events = client.Resource(KubernetesResources.Events);

    public async Task RecordAsync(ConnectionPool pool, PoolEvent poolEvent, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var name = $"{pool.Metadata.Name}.{now.UtcTicks.ToString("x", CultureInfo.InvariantCulture)}{Random.Shared.Next(0x1000).ToString("x3", CultureInfo.InvariantCulture)}";
        try
        {
            await _events.CreateAsync(
                new Event
                {
                    Metadata = new ObjectMeta { Name = name, NamespaceProperty = pool.Metadata.NamespaceProperty },
                    EventTime = now.UtcDateTime,
                    ReportingController = ReportingController,
                    ReportingInstance = identity,
                    Action = poolEvent.Action,
                    Reason = poolEvent.Reason,
                    Type = poolEvent.Type,
                    Note = poolEvent.Note.Length > 1024 ? poolEvent.Note[..1024] : poolEvent.Note,
                    Regarding = new ObjectReference
                    {
                        ApiVersion = Naming.ApiVersion,
                        Kind = Naming.Kind,
                        NamespaceProperty = pool.Metadata.NamespaceProperty,
                        Name = pool.Metadata.Name,
                        Uid = pool.Metadata.Uid,
                    },
                },
                cancellationToken: cancellationToken);
        }
#pragma warning disable CA1031 // An event that cannot be recorded must not fail the reconcile.
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested) // a request timeout is not ours
#pragma warning restore CA1031
        {
            logger.LogWarning("Could not record event {Reason} on pool {Namespace}/{Pool}: {Message}", poolEvent.Reason, pool.Metadata.NamespaceProperty, pool.Metadata.Name, ex.Message);
        }
    }
}
