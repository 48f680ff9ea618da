using SidePool.Api;

namespace SidePool.Injection;

/// <summary>
/// The stamps of the pod/version contract, in one place. On pods (by the webhook), for the reconciler to count pods
/// per pool version from labels alone: label <c>pools.sidepool.dev/&lt;pool&gt;: &lt;shortVersion&gt;</c> per injected
/// pool, and the annotation <c>sidepool.dev/injected: "&lt;pool&gt;=&lt;shortVersion&gt;,…"</c> listing every injected
/// pool. On workload pod templates (by the operator, to roll them): <c>sidepool.dev/version-&lt;pool&gt;</c> = the
/// short version new pods must get (pods created from the template carry it, and the webhook injects that version),
/// and <c>sidepool.dev/repair-&lt;pool&gt;</c> = a time, to re-create pods that lack the sidecar or got a wrong version.
/// </summary>
public static class PodStamps
{
    /// <summary>Prefix of the per-pool label keys.</summary>
    public const string LabelPrefix = "pools.sidepool.dev/";

    /// <summary>Annotation listing <c>pool=shortVersion</c> pairs, comma separated, sorted by pool name.</summary>
    public const string InjectedAnnotation = "sidepool.dev/injected";

    /// <summary>
    /// The label key of a pool: <c>pools.sidepool.dev/&lt;pool&gt;</c>. Pool names longer than 63 characters keep
    /// their first 52 characters plus '-' and 10 hex characters of the name's SHA-256 (deterministic).
    /// Use it in a label selector (<c>pools.sidepool.dev/orders-db</c> exists, or <c>=&lt;shortVersion&gt;</c>).
    /// </summary>
    public static string LabelKey(string poolName) => LabelPrefix + DnsLabel.LabelValue(poolName);

    /// <summary>The label value: the short version (10 hex characters).</summary>
    public static string LabelValue(string version) => Naming.Short(version);

    /// <summary>
    /// Pod-template annotation whose change makes a workload roll its pods: value = the short version its new pods
    /// must run. The key's name part stays within 63 characters (long pool names are shortened with a hash).
    /// </summary>
    public static string TemplateAnnotation(string poolName) => "sidepool.dev/" + DnsLabel.LabelValue("version-" + poolName);

    /// <summary>Pod-template annotation stamped to re-create a workload's pods: value = RFC 3339 time.</summary>
    public static string RepairAnnotation(string poolName) => "sidepool.dev/" + DnsLabel.LabelValue("repair-" + poolName);

    /// <summary>The version a pod's template asked for (<see cref="TemplateAnnotation"/> copied onto the pod), or null.</summary>
    public static string? TemplateVersionOf(IDictionary<string, string>? podAnnotations, string poolName) =>
        podAnnotations is not null && podAnnotations.TryGetValue(TemplateAnnotation(poolName), out var value) ? value : null;

    /// <summary>Parses the <see cref="InjectedAnnotation"/> value into pool → short version.</summary>
    public static IReadOnlyDictionary<string, string> ParseInjected(string? annotation)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in (annotation ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                result[part[..equals]] = part[(equals + 1)..];
            }
        }

        return result;
    }

    /// <summary>Formats pool → short version as the <see cref="InjectedAnnotation"/> value.</summary>
    public static string FormatInjected(IReadOnlyDictionary<string, string> pools) =>
        string.Join(",", pools.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"));

    /// <summary>The version label of <paramref name="poolName"/> on a pod, or null when it has none.</summary>
    public static string? VersionOf(IDictionary<string, string>? podLabels, string poolName) =>
        podLabels is not null && podLabels.TryGetValue(LabelKey(poolName), out var value) ? value : null;
}
