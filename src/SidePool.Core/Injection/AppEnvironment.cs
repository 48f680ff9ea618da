using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using SidePool.Contract;

namespace SidePool.Core;

/// <summary>
/// What app containers get for one pool: env variables and the files of the version Secret they refer to.
/// Secrets (client password, URLs with passwords) only ever appear as secretKeyRef to the version's own Secret, so an
/// app container restarted in an old pod reads what its own sidecar serves. Literal values escape <c>$</c> as
/// <c>$$</c> (Kubernetes expands <c>$(VAR)</c> in env values).
/// </summary>
public static class AppEnvironment
{
    public const string LoopbackAddress = "127.0.0.1";

    /// <summary>The env of one pool, as one set (see <see cref="AppContainerChanges"/> for how sets of several pools meet).</summary>
    public static IReadOnlyList<(string Name, JsonObject Var)> Build(ContractInputs inputs, string versionSecret)
    {
        var spec = inputs.Spec;
        var env = spec.Injection.Env;
        var scram = spec.Sidecar.ClientAuth == "scram";
        var result = new List<(string, JsonObject)>();
        if (env.Url.Length > 0)
        {
            result.Add(scram
                ? SecretVar(env.Url, versionSecret, VersionContract.Files.DatabaseUrl)
                : Value(env.Url, PoolUrl(inputs, password: null)));
        }

        if (env.DirectUrl.Length > 0)
        {
            result.Add(SecretVar(env.DirectUrl, versionSecret, VersionContract.Files.DirectUrl));
        }

        if (env.PgVars)
        {
            result.Add(Value(VersionContract.AppEnv.Host, LoopbackAddress));
            result.Add(Value(VersionContract.AppEnv.Port, spec.Sidecar.Port.ToString(CultureInfo.InvariantCulture)));
            result.Add(Value(VersionContract.AppEnv.Database, spec.Backend!.Database!));
            result.Add(Value(VersionContract.AppEnv.User, inputs.ClientUser));
            if (scram)
            {
                result.Add(SecretVar(VersionContract.AppEnv.Password, versionSecret, VersionContract.Files.ClientPassword));
            }
        }

        return result;
    }

    /// <summary>The version Secret's files that app env refers to (they hold passwords).</summary>
    public static IReadOnlyDictionary<string, string> Files(ContractInputs inputs, ClientCredentials client, PoolCredentials backend)
    {
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            [VersionContract.Files.ClientPassword] = client.Password,
        };
        var env = inputs.Spec.Injection.Env;
        if (env.Url.Length > 0 && inputs.Spec.Sidecar.ClientAuth == "scram")
        {
            files[VersionContract.Files.DatabaseUrl] = PoolUrl(inputs, client.Password);
        }

        if (env.DirectUrl.Length > 0)
        {
            files[VersionContract.Files.DirectUrl] = DirectUrl(inputs, backend);
        }

        return files;
    }

    /// <summary>True for the app files that hold the backend password (the direct URL).</summary>
    public static bool HoldsBackendPassword(string file) => file == VersionContract.Files.DirectUrl;

    /// <summary>The URL to the sidecar on loopback (the client password is URL-safe by construction).</summary>
    public static string PoolUrl(ContractInputs inputs, string? password)
    {
        var user = Uri.EscapeDataString(inputs.ClientUser);
        var credentials = password is null ? user : $"{user}:{Uri.EscapeDataString(password)}";
        var port = inputs.Spec.Sidecar.Port.ToString(CultureInfo.InvariantCulture);
        return $"postgresql://{credentials}@{LoopbackAddress}:{port}/{Uri.EscapeDataString(inputs.Spec.Backend!.Database!)}";
    }

    /// <summary>The URL straight to the backend, every part URL-encoded; verified TLS names the CA mounted in app containers.</summary>
    public static string DirectUrl(ContractInputs inputs, PoolCredentials backend)
    {
        var spec = inputs.Spec.Backend!;
        var host = spec.Host!.Contains(':', StringComparison.Ordinal) ? $"[{spec.Host}]" : spec.Host;
        var port = spec.Port.ToString(CultureInfo.InvariantCulture);
        var url = $"postgresql://{Uri.EscapeDataString(backend.Username)}:{Uri.EscapeDataString(backend.Password)}@{host}:{port}/{Uri.EscapeDataString(spec.Database!)}?sslmode={spec.Tls.Mode}";
        return inputs.AppsNeedCa ? url + "&sslrootcert=" + Uri.EscapeDataString(inputs.Layout.AppCaFile) : url;
    }

    /// <summary>The client user of a rendered version, from its <c>sidepool.json</c> (the user the sidecar serves).</summary>
    public static string UserOf(RenderedPool rendered)
    {
        if (!rendered.Files.TryGetValue(VersionContract.Files.Agent, out var json))
        {
            throw new InvalidOperationException($"the rendered pool has no {VersionContract.Files.Agent}");
        }

        using var document = JsonDocument.Parse(json);
        return document.RootElement.GetProperty("probe").GetProperty("user").GetString()
            ?? throw new InvalidOperationException($"{VersionContract.Files.Agent} has no probe user");
    }

    /// <summary>A literal value, <c>$</c> escaped so Kubernetes passes it through unexpanded.</summary>
    private static (string, JsonObject) Value(string name, string value) =>
        (name, new JsonObject { ["name"] = name, ["value"] = value.Replace("$", "$$", StringComparison.Ordinal) });

    private static (string, JsonObject) SecretVar(string name, string secret, string key) =>
        (name, new JsonObject { ["name"] = name, ["valueFrom"] = new JsonObject { ["secretKeyRef"] = new JsonObject { ["name"] = secret, ["key"] = key } } });
}
