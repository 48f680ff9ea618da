using System.Text;
using Prometheus;
using SidePool.Agent.Http;
using SidePool.PgBouncer.Admin;

namespace SidePool.Agent.Telemetry;

/// <summary>
/// <c>/metrics</c>: asks PgBouncer for its figures (<see cref="PgBouncerMetrics.RefreshAsync"/>), then writes the
/// agent's registry in the text format 0.0.4. One scrape at a time, so a collection never sees another scrape's
/// update half done. A failed refresh is <c>pgbouncer_up 0</c> in a 200 answer.
/// </summary>
internal sealed class MetricsEndpoint(CollectorRegistry registry, PgBouncerMetrics pgBouncer) : IDisposable
{
    /// <summary>How long a scrape waits for PgBouncer's admin console before it reports <c>pgbouncer_up 0</c>.</summary>
    public static readonly TimeSpan RefreshTimeout = TimeSpan.FromSeconds(5);

    private readonly SemaphoreSlim _gate = new(1, 1);

    public async Task<HttpResponse> ScrapeAsync(PgBouncerAdminClient? admin, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                timeout.CancelAfter(RefreshTimeout);
                await pgBouncer.RefreshAsync(admin, timeout.Token);
            }

            using var body = new MemoryStream();
            await registry.CollectAndExportAsTextAsync(body, cancellationToken);
            return new HttpResponse(200, AgentRegistry.ContentType, Encoding.UTF8.GetString(body.GetBuffer(), 0, (int)body.Length));
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();
}
