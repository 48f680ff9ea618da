using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using SidePool.Contract;

namespace SidePool.Core;

/// <summary>
/// Reads back what the operator published in a version Secret (pure): the rendered files, hashes, image and the
/// spec they came from. The webhook injects from this, so pods get exactly the version status names.
/// </summary>
public static class PublishedVersion
{
    public static RenderedPool? Rendered(Secret versionSecret)
    {
        var annotations = versionSecret.Metadata?.Annotations;
        if (versionSecret.Data is not { } data ||
            annotations?.GetValueOrDefault(VersionContract.Annotations.VersionHash) is not { } version ||
            annotations.GetValueOrDefault(VersionContract.Annotations.ConfigRevision) is not { } revision ||
            annotations.GetValueOrDefault(VersionContract.Annotations.Image) is not { } image)
        {
            return null;
        }

        var files = data.ToDictionary(d => d.Key, d => Encoding.UTF8.GetString(d.Value), StringComparer.Ordinal);
        return new RenderedPool
        {
            Files = files,
            Version = version,
            ConfigRevision = revision,
            Image = image,
            RestartSettings = RestartSettings(files.GetValueOrDefault(VersionContract.Files.Agent)),
        };
    }

    public static string? SidecarMode(Secret versionSecret) => versionSecret.Metadata?.Annotations?.GetValueOrDefault(VersionContract.Annotations.SidecarMode);

    /// <summary>
    /// What a published version was built from, to render it again (backend rotation, pool key rotation) without
    /// changing what its pods hold: its spec, image, sidecar mode and client credentials. Null when the Secret lacks
    /// any of them (then it is left as it is).
    /// </summary>
    public static PublishedInputs? Inputs(Secret versionSecret)
    {
        var annotations = versionSecret.Metadata?.Annotations;
        if (PoolSecretsBuilder.SpecOf(versionSecret) is not { } spec ||
            annotations?.GetValueOrDefault(VersionContract.Annotations.VersionHash) is not { } version ||
            annotations.GetValueOrDefault(VersionContract.Annotations.Image) is not { } image ||
            SidecarMode(versionSecret) is not { } mode ||
            versionSecret.Data?.GetValueOrDefault(VersionContract.Files.ClientPassword) is not { } password ||
            Rendered(versionSecret) is not { } rendered)
        {
            return null;
        }

        string user;
        try
        {
            user = AppEnvironment.UserOf(rendered);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or KeyNotFoundException)
        {
            return null;
        }

        return new PublishedInputs(version, spec, image, mode, new ClientCredentials(user, Encoding.UTF8.GetString(password)));
    }

    /// <summary>A published version's inputs (see <see cref="Inputs"/>).</summary>
    public sealed record PublishedInputs(string Version, Api.ConnectionPoolSpec Spec, string Image, string SidecarMode, ClientCredentials Client);

    private static Dictionary<string, string> RestartSettings(string? agentJson)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            if (agentJson is not null && JsonNode.Parse(agentJson)?["restartSettings"] is JsonObject settings)
            {
                foreach (var (key, value) in settings)
                {
                    if (value is JsonValue v && v.TryGetValue<string>(out var text))
                    {
                        result[key] = text;
                    }
                }
            }
        }
        catch (JsonException)
        {
        }

        return result;
    }
}
