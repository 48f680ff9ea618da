using System.Security.Cryptography;

namespace SidePool.Rendering;

/// <summary>Where things live inside the sidecar, and what the operator decided about the sidecar itself.</summary>
public sealed record RenderLayout
{
    /// <summary>Where the version's Secret is mounted (files are read through Kubernetes' <c>..data</c> symlinks).</summary>
    public string ConfigDirectory { get; init; } = "/etc/sidepool/pool";

    /// <summary>emptyDir holding PgBouncer's unix socket (shared with app containers when <c>unixSocket: true</c>).</summary>
    public string SocketDirectory { get; init; } = "/var/run/sidepool";

    /// <summary>Image used when <c>spec.sidecar.image</c> is empty.</summary>
    public string DefaultImage { get; init; } = "ghcr.io/sidepool/sidecar:0.1.0";

    /// <summary><c>native</c> (init container with restartPolicy Always) or <c>classic</c> container.</summary>
    public string SidecarMode { get; init; } = "native";
}

/// <summary>The database credentials read from the pool's Secrets. Never printed.</summary>
public sealed record PoolCredentials(string Username, string Password, string? CaCertificate = null)
{
    public override string ToString() => $"PoolCredentials {{ Username = {Username}, Password = ***, CaCertificate = {(CaCertificate is null ? "none" : "set")} }}";
}

/// <summary>
/// The per-pool secret key (kept by the operator in a Secret). Credentials enter the hashes only through an
/// HMAC-SHA-256 keyed with it, and the admin console password is derived from it.
/// </summary>
public sealed record PoolSecrets
{
    public PoolSecrets(byte[] hashKey)
    {
        if (hashKey.Length < 16)
        {
            throw new ArgumentException("the pool hash key must be at least 16 bytes", nameof(hashKey));
        }

        HashKey = hashKey;
    }

    public byte[] HashKey { get; }

    public static PoolSecrets Generate() => new(RandomNumberGenerator.GetBytes(32));

    /// <summary>The admin console password of the agent: HMAC(key, purpose), base64url, 43 characters.</summary>
    public string AdminPassword => Base64Url(HMACSHA256.HashData(HashKey, "sidepool.dev/admin-password/v1"u8));

    /// <summary>HMAC-SHA-256 of a credential, hex; what the hashes see instead of the credential.</summary>
    public string Mask(string credential) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(HashKey, System.Text.Encoding.UTF8.GetBytes(credential)));

    public override string ToString() => "PoolSecrets { HashKey = *** }";

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
