using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using SidePool.Rendering;

namespace SidePool.Injection;

/// <summary>
/// The env app containers get for one pool, in dependency order (a variable used through <c>$(NAME)</c>
/// interpolation comes before its users). Passwords only ever appear as secretKeyRef.
/// </summary>
internal static class AppEnvironment
{
    public const string LoopbackAddress = "127.0.0.1";

    public static IReadOnlyList<(string Name, JsonObject Var)> Build(PoolInjection pool)
    {
        var spec = pool.Spec;
        var backend = spec.Backend!;
        var env = spec.Injection.Env;
        var scram = spec.Sidecar.ClientAuth == "scram";
        var user = Uri.EscapeDataString(UserOf(pool.Rendered));
        var database = backend.Database!;
        var port = spec.Sidecar.Port.ToString(CultureInfo.InvariantCulture);
        var passwordVar = SidecarNames.PasswordVariable(pool.Name);
        var password = "$(" + passwordVar + ")";
        var secretRef = new JsonObject
        {
            ["name"] = backend.CredentialsSecret!.Name,
            ["key"] = backend.CredentialsSecret.PasswordKey,
        };

        var result = new List<(string, JsonObject)>();
        if (env.DirectUrl.Length > 0 || (scram && env.Url.Length > 0))
        {
            result.Add(SecretVar(passwordVar, secretRef));
        }

        if (env.Url.Length > 0)
        {
            var credentials = scram ? $"{user}:{password}" : user;
            result.Add(Value(env.Url, $"postgresql://{credentials}@{LoopbackAddress}:{port}/{Uri.EscapeDataString(database)}"));
        }

        if (env.DirectUrl.Length > 0)
        {
            var host = backend.Host!.Contains(':', StringComparison.Ordinal) ? $"[{backend.Host}]" : backend.Host;
            var backendPort = backend.Port.ToString(CultureInfo.InvariantCulture);
            result.Add(Value(env.DirectUrl, $"postgresql://{user}:{password}@{host}:{backendPort}/{Uri.EscapeDataString(database)}?sslmode={backend.Tls.Mode}"));
        }

        if (env.PgVars)
        {
            result.Add(Value("PGHOST", LoopbackAddress));
            result.Add(Value("PGPORT", port));
            result.Add(Value("PGDATABASE", database));
            result.Add(Value("PGUSER", UserOf(pool.Rendered)));
            if (scram)
            {
                result.Add(SecretVar("PGPASSWORD", secretRef));
            }
        }

        return result;
    }

    /// <summary>The pool's database user, from the rendered <c>sidepool.json</c> (the user the sidecar serves).</summary>
    public static string UserOf(RenderedPool rendered)
    {
        if (!rendered.Files.TryGetValue(RenderedPool.AgentFile, out var json))
        {
            throw new InvalidOperationException($"the rendered pool has no {RenderedPool.AgentFile}");
        }

        using var document = JsonDocument.Parse(json);
        return document.RootElement.GetProperty("probe").GetProperty("user").GetString()
            ?? throw new InvalidOperationException($"{RenderedPool.AgentFile} has no probe user");
    }

    private static (string, JsonObject) Value(string name, string value) => (name, new JsonObject { ["name"] = name, ["value"] = value });

    private static (string, JsonObject) SecretVar(string name, JsonObject secretRef) =>
        (name, new JsonObject { ["name"] = name, ["valueFrom"] = new JsonObject { ["secretKeyRef"] = secretRef.DeepClone() } });
}
