using SidePool.Api;

namespace SidePool.Injection;

/// <summary>
/// How an injected pod is stamped, for the reconciler to count pods per pool version from labels alone:
/// label <c>pools.sidepool.dev/&lt;pool&gt;: &lt;shortVersion&gt;</c> per injected pool, and the annotation
/// <c>sidepool.dev/injected: "&lt;pool&gt;=&lt;shortVersion&gt;,…"</c> listing every injected pool.
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
    public static string? VersionOf(IReadOnlyDictionary<string, string>? podLabels, string poolName) =>
        podLabels is not null && podLabels.TryGetValue(LabelKey(poolName), out var value) ? value : null;
}
