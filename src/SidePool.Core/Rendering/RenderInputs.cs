using System.Security.Cryptography;
using SidePool.Contract;

namespace SidePool.Core;

/// <summary>Where the sidecar finds its files and socket: the paths <c>pgbouncer.ini</c> names.</summary>
public sealed record RenderLayout
{
    /// <summary>Where the version's Secret is mounted (files are read through Kubernetes' <c>..data</c> symlinks).</summary>
    public string ConfigDirectory { get; init; } = "/etc/sidepool/pool";

    /// <summary>emptyDir holding PgBouncer's unix socket (shared with app containers when <c>unixSocket: true</c>).</summary>
    public string SocketDirectory { get; init; } = "/var/run/sidepool";

    /// <summary>The paths of a sidecar as the webhook lays it out.</summary>
    public static RenderLayout Of(SidecarLayout layout) => new() { ConfigDirectory = layout.ConfigDirectory, SocketDirectory = layout.SocketDirectory };
}

/// <summary>The backend credentials read from the pool's Secrets (the server login). Never printed.</summary>
public sealed record PoolCredentials(string Username, string Password, string? CaCertificate = null)
{
    public override string ToString() => $"PoolCredentials {{ Username = {Username}, Password = ***, CaCertificate = {(CaCertificate is null ? "none" : "set")} }}";
}

/// <summary>
/// What applications log in to their sidecar with: the user name they were given (the backend user when the
/// version was published) and the pool's own generated client password, separate from the backend password so
/// that rotating the backend password never touches what running applications hold.
/// </summary>
public sealed record ClientCredentials(string Username, string Password)
{
    /// <summary>Generated client passwords: 32 random bytes, base64url (43 characters, URL-safe, no escaping anywhere).</summary>
    public const string PasswordPattern = "^[A-Za-z0-9_-]{32,128}$";

    public static string GeneratePassword() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static bool IsValidPassword(string password) =>
        password.Length is >= 32 and <= 128 && password.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    public override string ToString() => $"ClientCredentials {{ Username = {Username}, Password = *** }}";
}

/// <summary>
/// The per-pool secret key (kept by the operator in a Secret). Secret material enters the revision only through an
/// HMAC-SHA-256 keyed with it, and the admin console password is derived from it.
/// </summary>
public sealed record PoolKey
{
    public PoolKey(byte[] hashKey)
    {
        if (hashKey.Length < 16)
        {
            throw new ArgumentException("the pool hash key must be at least 16 bytes", nameof(hashKey));
        }

        HashKey = hashKey;
    }

    public byte[] HashKey { get; }

    public static PoolKey Generate() => new(RandomNumberGenerator.GetBytes(32));

    /// <summary>The admin console password of the agent: HMAC(key, purpose), base64url, 43 characters.</summary>
    public string AdminPassword => Base64Url(HMACSHA256.HashData(HashKey, "sidepool.dev/admin-password/v1"u8));

    /// <summary>HMAC-SHA-256 of secret material, hex; what the hashes see instead of it.</summary>
    public string Mask(string secret) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(HashKey, System.Text.Encoding.UTF8.GetBytes(secret)));

    public override string ToString() => "PoolKey { HashKey = *** }";

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
