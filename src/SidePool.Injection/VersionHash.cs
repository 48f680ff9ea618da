using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using SidePool.Rendering;

namespace SidePool.Injection;

/// <summary>
/// A pool version is the hash of what a running pod holds from the moment it starts and cannot change without a
/// restart: the whole <see cref="PodContract"/> as the webhook would inject it (sidecar container, volumes, app env
/// and mounts, grace period), PgBouncer's settings that apply only at start, and the client password the app
/// containers read into their env. Nothing is picked by hand, so nothing can be forgotten: any change to the
/// injected container or env is a new version. Backend credentials are not part of it: they reload live.
/// </summary>
public static class VersionHash
{
    /// <summary>Stands for the version Secret's name, which the version itself names.</summary>
    public const string VersionSecretPlaceholder = "<version-secret>";

    public static string Compute(ContractInputs inputs, InjectionSettings settings, IReadOnlyDictionary<string, string> restartSettings, string clientPassword)
    {
        var document = new JsonObject
        {
            ["contract"] = PodContract.Build(inputs, settings, VersionSecretPlaceholder, settings.AgentPort).ToJson(),
            ["pgbouncerRestartSettings"] = new JsonObject([.. restartSettings.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))]),
            // The client password is random (ClientCredentials): its digest reveals nothing, and it never changes with the pool key.
            ["clientPasswordSha256"] = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(clientPassword))),
        };
        return new CanonicalHash("sidepool.dev/version/v2").Add("document", document.ToJsonString()).ComputeHex();
    }
}
