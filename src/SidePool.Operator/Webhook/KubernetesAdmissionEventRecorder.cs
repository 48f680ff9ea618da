using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using SidePool.Api;
using SidePool.Kubernetes.Client;

namespace SidePool.Operator.Webhook;

/// <summary>
/// Writes admission events as events.k8s.io/v1 Events in the background (the admission never waits for the API
/// server). Events about one pool regard the ConnectionPool (<c>kubectl describe pool</c> shows them); others the
/// pod (by name, or by generateName when it has none yet).
/// </summary>
public sealed partial class KubernetesAdmissionEventRecorder(IKubernetesClient client, TimeProvider time, ILogger<KubernetesAdmissionEventRecorder> logger)
    : IAdmissionEventRecorder
{
    public const string ReportingController = "sidepool.dev/webhook";

    private readonly IResourceClient<Event> _events = client.Resource(KubernetesResources.Events);

    public ValueTask RecordAsync(AdmissionEvent admissionEvent, CancellationToken cancellationToken)
    {
        _ = Task.Run(() => CreateAsync(admissionEvent), CancellationToken.None);
        return ValueTask.CompletedTask;
    }

    private async Task CreateAsync(AdmissionEvent e)
    {
        var regarding = e.Pool is not null
            ? new ObjectReference { ApiVersion = Naming.ApiVersion, Kind = Naming.Kind, NamespaceProperty = e.Namespace, Name = e.Pool }
            : new ObjectReference { ApiVersion = "v1", Kind = "Pod", NamespaceProperty = e.Namespace, Name = e.PodName ?? e.GenerateName };
        var baseName = (regarding.Name ?? "pod").TrimEnd('-');
        var value = new Event
        {
            Metadata = new ObjectMeta { Name = $"{baseName}.{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}", NamespaceProperty = e.Namespace },
            EventTime = time.GetUtcNow().UtcDateTime,
            ReportingController = ReportingController,
            ReportingInstance = Environment.MachineName,
            Action = "Admit",
            Reason = e.Reason,
            Regarding = regarding,
            Note = e.Note.Length > 1024 ? e.Note[..1024] : e.Note,
            Type = "Warning",
        };
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _events.CreateAsync(value, cancellationToken: timeout.Token).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            LogFailed(e.Reason, exception.GetType().Name, exception.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "webhook: event {Reason} not recorded: {ExceptionType}: {Message}")]
    private partial void LogFailed(string reason, string exceptionType, string message);
}
