using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace SidePool.Core;

/// <summary>
/// A pool version is the hash of what a running pod holds from the moment it starts and cannot change without a
/// restart: the whole <see cref="PodContract"/> as the webhook would inject it (sidecar container, volumes, app env
/// and mounts, grace period), the values the app env resolves to (the version Secret's app files: client password,
/// URLs), and PgBouncer's settings that apply only at start. Nothing is picked by hand, so nothing can be forgotten:
/// any change to the injected container or to the env as apps see it is a new version. The backend password is not
/// part of it (it reloads live) unless the pool gives apps a direct URL, which holds it.
/// </summary>
public static class VersionHash
{
    /// <summary>Stands for the version Secret's name, which the version itself names.</summary>
    public const string VersionSecretPlaceholder = "<version-secret>";

    /// <param name="appFiles">The version Secret's files the app env refers to (<see cref="AppEnvironment.Files"/>).</param>
    /// <param name="secrets">Masks the files that hold the backend password (a user-chosen one: only keyed hashes of it).</param>
    public static string Compute(ContractInputs inputs, InjectionOptions settings, IReadOnlyDictionary<string, string> restartSettings, IReadOnlyDictionary<string, string> appFiles, PoolKey secrets)
    {
        var document = new JsonObject
        {
            ["contract"] = PodContract.Build(inputs, settings, VersionSecretPlaceholder, settings.AgentPort).ToJson(),
            ["pgbouncerRestartSettings"] = new JsonObject([.. restartSettings.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))]),
            // What the env resolves to. The client password is random (ClientCredentials), so a plain digest reveals
            // nothing and does not change with the pool key; the backend password enters only keyed.
            ["appFiles"] = new JsonObject([.. appFiles.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => KeyValuePair.Create(
                f.Key,
                (JsonNode?)(AppEnvironment.HoldsBackendPassword(f.Key) ? "hmac:" + secrets.Mask(f.Value) : "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(f.Value))))))]),
        };
        return new CanonicalHash("sidepool.dev/version/v2").Add("document", document.ToJsonString()).ComputeHex();
    }
}
