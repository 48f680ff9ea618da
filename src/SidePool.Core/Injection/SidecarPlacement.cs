using System.Text.Json.Nodes;

namespace SidePool.Core;

/// <summary>
/// The injected pools' sidecars and volumes, and where they go: volumes appended; native sidecars prepended to the
/// init containers in pool order (they start before the pod's own init containers); classic sidecars appended to the
/// containers.
/// </summary>
internal sealed class SidecarPlacement
{
    private readonly List<JsonNode> volumes = [];
    private readonly HashSet<string> volumeNames = new(StringComparer.Ordinal);
    private readonly List<JsonNode> native = [];
    private readonly List<JsonNode> classic = [];

    /// <summary>Names of the volumes added so far.</summary>
    public IReadOnlySet<string> VolumeNames => volumeNames;

    public void Add(PodContract contract)
    {
        (contract.SidecarMode == SidecarModes.Native ? native : classic).Add(contract.Sidecar);
        foreach (var volume in contract.Volumes)
        {
            volumes.Add(volume);
            volumeNames.Add(volume["name"]!.GetValue<string>());
        }
    }

    /// <summary>Writes the volumes, then the native sidecars, then the classic ones (once: the nodes move into the patch).</summary>
    public void WriteTo(PatchOperations patch, JsonObject spec)
    {
        patch.Append(spec, "/spec/volumes", "volumes", volumes);
        if (spec["initContainers"] is JsonArray)
        {
            // Prepended, in pool order: native sidecars start before the pod's own init containers.
            for (var i = native.Count - 1; i >= 0; i--)
            {
                patch.Add("/spec/initContainers/0", native[i]);
            }
        }
        else if (native.Count > 0)
        {
            patch.Add("/spec/initContainers", new JsonArray([.. native]));
        }

        patch.Append(spec, "/spec/containers", "containers", classic);
    }
}
