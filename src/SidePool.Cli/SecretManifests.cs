using System.Text;
using System.Text.Json.Nodes;
using SidePool.Api;
using SidePool.Contract;
using SidePool.Core;

namespace SidePool.Cli;

/// <summary>Finds the pool's credentials (and CA) in Secret manifests, as the operator would in the cluster.</summary>
public static class SecretManifests
{
    public static PoolCredentials ReadCredentials(ConnectionPoolSpec spec, IReadOnlyList<(JsonObject Document, string Source)> secrets)
    {
        var backend = spec.Backend!;
        var reference = backend.CredentialsSecret!;
        var (credentials, source) = Find(secrets, reference.Name!, "spec.backend.credentialsSecret.name");
        var username = Key(credentials, source, reference.UsernameKey);
        var password = Key(credentials, source, reference.PasswordKey);
        string? ca = null;
        if (backend.Tls.CaSecret is { } caReference)
        {
            var (caSecret, caSource) = Find(secrets, caReference.Name!, "spec.backend.tls.caSecret.name");
            ca = Key(caSecret, caSource, caReference.Key);
        }

        return new PoolCredentials(username, password, ca);
    }

    /// <summary>The pool's client password from its client Secret (<c>&lt;pool&gt;-client</c>, as in the cluster), or null when not given.</summary>
    public static string? ReadClientPassword(string poolName, IReadOnlyList<(JsonObject Document, string Source)> secrets)
    {
        var name = VersionContract.Secrets.Client(poolName);
        foreach (var (document, source) in secrets)
        {
            if (document["kind"]?.ToString() == "Secret" && document["metadata"]?["name"]?.ToString() == name)
            {
                var password = Key(document, source, VersionContract.Secrets.ClientPasswordDataKey);
                return ClientCredentials.IsValidPassword(password)
                    ? password
                    : throw new UserError($"{source}: Secret \"{name}\" key \"{VersionContract.Secrets.ClientPasswordDataKey}\" must match {ClientCredentials.PasswordPattern}");
            }
        }

        return null;
    }

    private static (JsonObject Secret, string Source) Find(IReadOnlyList<(JsonObject Document, string Source)> secrets, string name, string field)
    {
        foreach (var (document, source) in secrets)
        {
            if (document["kind"]?.ToString() == "Secret" && document["metadata"]?["name"]?.ToString() == name)
            {
                return (document, source);
            }
        }

        var files = secrets.Select(s => s.Source).Distinct().ToList();
        throw new UserError(files.Count == 0
            ? $"no --secret given: the pool's {field} names Secret \"{name}\""
            : $"{string.Join(", ", files)}: no Secret named \"{name}\" (named by {field})");
    }

    private static string Key(JsonObject secret, string source, string key)
    {
        var name = secret["metadata"]?["name"]?.ToString();
        if (secret["stringData"]?[key] is JsonValue plain && plain.TryGetValue<string>(out var text))
        {
            return text;
        }

        if (secret["data"]?[key] is JsonValue encoded && encoded.TryGetValue<string>(out var base64))
        {
            try
            {
                return Encoding.UTF8.GetString(Convert.FromBase64String(base64));
            }
            catch (FormatException)
            {
                throw new UserError($"{source}: Secret \"{name}\" data.{key}: not valid base64");
            }
        }

        throw new UserError($"{source}: Secret \"{name}\" has no key \"{key}\" in data or stringData");
    }
}
