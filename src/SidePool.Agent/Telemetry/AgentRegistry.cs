using Prometheus;

namespace SidePool.Agent.Telemetry;

/// <summary>
/// The agent's prometheus-net registry: a private one, never the static default registry, so /metrics carries only
/// the agent's and PgBouncer's families (no process or .NET runtime metrics, no <c>MeterAdapter</c>).
/// </summary>
internal static class AgentRegistry
{
    /// <summary>The Prometheus text exposition format 0.0.4.</summary>
    public const string ContentType = PrometheusConstants.TextContentTypeWithVersionAndEncoding;

    public static CollectorRegistry Create()
    {
        // Only the default registry would get them (at its first collection), and nothing collects it: said anyway.
        Metrics.SuppressDefaultMetrics();
        return Metrics.NewCustomRegistry();
    }
}
