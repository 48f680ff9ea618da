namespace SidePool.Contract;

public static partial class VersionContract
{
    /// <summary>The Secrets the operator writes for a pool, and their data keys outside the version files.</summary>
    public static class Secrets
    {
        /// <summary>Data key of the pool's random hash key in <see cref="Key"/>.</summary>
        public const string HashKeyDataKey = "hash-key";

        /// <summary>Data key of the client password in <see cref="Client"/>.</summary>
        public const string ClientPasswordDataKey = "password";

        /// <summary><c>&lt;pool&gt;-key</c>: the pool's random HMAC key (admin password, generated client password).</summary>
        public static string Key(string pool) => $"{pool}-key";

        /// <summary><c>&lt;pool&gt;-client</c>: the client password apps of the pool log in with (generated; see docs/rotation.md).</summary>
        public static string Client(string pool) => $"{pool}-client";

        /// <summary><c>&lt;pool&gt;-&lt;shortVersion&gt;</c>: one version's files (<see cref="Files"/>), mounted by its sidecars.</summary>
        public static string Version(string pool, string version) => pool + "-" + Short(version);

        /// <summary>The short version if <paramref name="secretName"/> is a version Secret name of <paramref name="pool"/>.</summary>
        public static string? ShortVersionOf(string pool, string? secretName)
        {
            if (secretName is null || secretName.Length != pool.Length + 1 + ShortLength || !secretName.StartsWith(pool + "-", StringComparison.Ordinal))
            {
                return null;
            }

            var suffix = secretName[(pool.Length + 1)..];
            return suffix.All(char.IsAsciiHexDigitLower) ? suffix : null;
        }
    }
}
