namespace SidePool.Contract;

public static partial class VersionContract
{
    /// <summary>Annotations on version Secrets, pods and workload pod templates.</summary>
    public static class Annotations
    {
        /// <summary>On a version Secret: the full version hash.</summary>
        public const string VersionHash = "sidepool.dev/version-hash";

        /// <summary>On a version Secret: the full config revision it holds (every rendered byte).</summary>
        public const string ConfigRevision = "sidepool.dev/config-revision";

        /// <summary>On a version Secret: the sidecar mode of the version (native or classic).</summary>
        public const string SidecarMode = "sidepool.dev/sidecar-mode";

        /// <summary>On a version Secret: the sidecar image of the version.</summary>
        public const string Image = "sidepool.dev/image";

        /// <summary>
        /// On a version Secret: the pool spec (JSON; references Secrets by name, holds no secret) it was last written
        /// from, so the webhook injects exactly the published version even while a newer spec is being reconciled.
        /// </summary>
        public const string Spec = "sidepool.dev/spec";

        /// <summary>On pods (by the webhook): <c>pool=shortVersion</c> pairs of every injected pool, comma separated, sorted by pool.</summary>
        public const string Injected = "sidepool.dev/injected";

        /// <summary>
        /// On a workload's pod template (by the operator): the short version its new pods must run; changing it rolls
        /// the workload, and the webhook injects the version it names. The name part stays within 63 characters.
        /// </summary>
        public static string TemplateVersion(string poolName) => "sidepool.dev/" + DnsLabel.LabelValue("version-" + poolName);

        /// <summary>On a workload's pod template (by the operator): an RFC 3339 time, stamped to re-create pods that lack the sidecar.</summary>
        public static string Repair(string poolName) => "sidepool.dev/" + DnsLabel.LabelValue("repair-" + poolName);

        /// <summary>The version a pod's template asked for (<see cref="TemplateVersion"/> copied onto the pod), or null.</summary>
        public static string? TemplateVersionOf(IDictionary<string, string>? podAnnotations, string poolName) =>
            podAnnotations is not null && podAnnotations.TryGetValue(TemplateVersion(poolName), out var value) ? value : null;

        /// <summary>Parses an <see cref="Injected"/> value into pool → short version.</summary>
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

        /// <summary>Formats pool → short version as an <see cref="Injected"/> value.</summary>
        public static string FormatInjected(IReadOnlyDictionary<string, string> pools) =>
            string.Join(",", pools.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"));
    }
}
