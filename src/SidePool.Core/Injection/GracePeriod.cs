using System.Text.Json.Nodes;

namespace SidePool.Core;

/// <summary>
/// The pod's <c>terminationGracePeriodSeconds</c>: raised, never lowered, to the longest grace period an injected
/// pool needs (its drain, the agent's shutdown and a margin), in whole seconds rounded up.
/// </summary>
internal sealed class GracePeriod
{
    /// <summary>Kubernetes' default <c>terminationGracePeriodSeconds</c>.</summary>
    public const long KubernetesDefaultSeconds = 30;

    private TimeSpan required = TimeSpan.Zero;

    public void Cover(TimeSpan needed) => required = needed > required ? needed : required;

    public void WriteTo(PatchOperations patch, JsonObject spec)
    {
        var current = spec["terminationGracePeriodSeconds"] is JsonValue g && g.TryGetValue<long>(out var seconds) ? seconds : KubernetesDefaultSeconds;
        var requiredSeconds = (long)Math.Ceiling(required.TotalSeconds);
        if (requiredSeconds > current)
        {
            patch.Add("/spec/terminationGracePeriodSeconds", requiredSeconds);
        }
    }
}
