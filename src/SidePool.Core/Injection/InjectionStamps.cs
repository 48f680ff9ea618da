using System.Text.Json.Nodes;
using SidePool.Contract;

namespace SidePool.Core;

/// <summary>
/// The stamps that say which version of which pool the pod runs: a label per injected pool
/// (<see cref="VersionContract.Labels.PodPool"/>) and the <see cref="VersionContract.Annotations.Injected"/> annotation,
/// merged with the pools an earlier answer stamped. Missing <c>metadata</c>, labels or annotations are created.
/// </summary>
internal sealed class InjectionStamps
{
    private readonly SortedDictionary<string, string> stamps = new(StringComparer.Ordinal);

    /// <summary>True once a pool was injected.</summary>
    public bool Any => stamps.Count > 0;

    public void Add(string pool, string shortVersion) => stamps[pool] = shortVersion;

    /// <summary>Writes the labels (sorted by pool), then the annotation.</summary>
    public void WriteTo(PatchOperations patch, JsonObject pod)
    {
        if (pod["metadata"] is not JsonObject metadata)
        {
            patch.Add("/metadata", new JsonObject());
            metadata = [];
        }

        if (metadata["labels"] is JsonObject)
        {
            foreach (var (pool, version) in stamps)
            {
                patch.Add("/metadata/labels/" + JsonPointer.Escape(VersionContract.Labels.PodPool(pool)), version);
            }
        }
        else
        {
            var labels = new JsonObject();
            foreach (var (pool, version) in stamps)
            {
                labels[VersionContract.Labels.PodPool(pool)] = version;
            }

            patch.Add("/metadata/labels", labels);
        }

        var existing = metadata["annotations"] is JsonObject annotations && annotations[VersionContract.Annotations.Injected] is JsonValue v && v.TryGetValue<string>(out var text) ? text : null;
        var injected = new Dictionary<string, string>(VersionContract.Annotations.ParseInjected(existing), StringComparer.Ordinal);
        foreach (var (pool, version) in stamps)
        {
            injected[pool] = version;
        }

        var value = VersionContract.Annotations.FormatInjected(injected);
        if (metadata["annotations"] is JsonObject)
        {
            patch.Add("/metadata/annotations/" + JsonPointer.Escape(VersionContract.Annotations.Injected), value);
        }
        else
        {
            patch.Add("/metadata/annotations", new JsonObject { [VersionContract.Annotations.Injected] = value });
        }
    }
}
