using System.Text;
using SidePool.Api;

namespace SidePool.Core;

/// <summary>Reads a pool's credentials from its Secrets. Problems name Secrets and keys, never values.</summary>
public static class CredentialsReader
{
    public static CredentialsResult Read(ConnectionPoolSpec spec, Func<string, Secret?> secretByName)
    {
        var reference = spec.Backend!.CredentialsSecret!;
        var secret = secretByName(reference.Name!);
        if (secret is null)
        {
            return CredentialsResult.Fail("CredentialsSecretNotFound", $"Secret {reference.Name} not found");
        }

        var username = Value(secret, reference.UsernameKey);
        var password = Value(secret, reference.PasswordKey);
        if (username is null || password is null)
        {
            var missing = username is null ? reference.UsernameKey : reference.PasswordKey;
            return CredentialsResult.Fail("CredentialsKeyMissing", $"Secret {reference.Name} has no key {missing}");
        }

        string? ca = null;
        if (spec.Backend.Tls.CaSecret is { } caRef)
        {
            var caSecret = secretByName(caRef.Name!);
            if (caSecret is null)
            {
                return CredentialsResult.Fail("CaSecretNotFound", $"Secret {caRef.Name} not found");
            }

            ca = Value(caSecret, caRef.Key);
            if (ca is null)
            {
                return CredentialsResult.Fail("CaKeyMissing", $"Secret {caRef.Name} has no key {caRef.Key}");
            }
        }

        return new CredentialsResult(new PoolCredentials(username, password, ca), null, null);
    }

    /// <summary>The names of the Secrets a pool reads (credentials and CA).</summary>
    public static IEnumerable<string> ReferencedSecrets(ConnectionPoolSpec? spec)
    {
        if (spec?.Backend?.CredentialsSecret?.Name is { } name)
        {
            yield return name;
        }

        if (spec?.Backend?.Tls.CaSecret?.Name is { } ca)
        {
            yield return ca;
        }
    }

    private static string? Value(Secret secret, string key)
    {
        if (secret.Data is { } data && data.TryGetValue(key, out var bytes))
        {
            return Encoding.UTF8.GetString(bytes);
        }

        return secret.StringData is { } stringData && stringData.TryGetValue(key, out var text) ? text : null;
    }
}

/// <summary>Credentials, or why there are none (Reason is CamelCase, Message names no value).</summary>
public sealed record CredentialsResult(PoolCredentials? Credentials, string? Reason, string? Message)
{
    public static CredentialsResult Fail(string reason, string message) => new(null, reason, message);
}
