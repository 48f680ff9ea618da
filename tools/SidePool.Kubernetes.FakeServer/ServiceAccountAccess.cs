using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace SidePool.Kubernetes.FakeServer;

/// <summary>
/// In-cluster API access, as a real control plane gives pods (<see cref="FakeApiServerOptions.ServiceAccountTokens"/>):
/// <list type="bullet">
/// <item>every namespace gets the ServiceAccount <c>default</c> (the serviceaccounts controller) and the ConfigMap
/// <c>kube-root-ca.crt</c> with the server's CA as <c>ca.crt</c> (the root-ca-cert-publisher), at once when it is created;</item>
/// <item>the ServiceAccount admission plugin on pod CREATE: <c>serviceAccountName</c> defaults to <c>default</c>, a missing
/// ServiceAccount is refused (<c>error looking up service account NS/NAME: serviceaccount "NAME" not found</c>), and
/// unless <c>automountServiceAccountToken: false</c> (pod, else ServiceAccount) or a container already mounts
/// /var/run/secrets/kubernetes.io/serviceaccount, the projected volume <c>kube-api-access-&lt;5 random&gt;</c>
/// (serviceAccountToken with expirationSeconds 3607 at <c>token</c>, the ConfigMap's <c>ca.crt</c>, downwardAPI
/// <c>namespace</c>; defaultMode 420) is added and mounted read-only there in every container and init container;</item>
/// <item>TokenRequest, <c>POST …/serviceaccounts/NAME/token</c>: a bearer token that authenticates as
/// <c>system:serviceaccount:NS:NAME</c> (groups <c>system:serviceaccounts</c>, <c>system:serviceaccounts:NS</c>,
/// <c>system:authenticated</c>) until it expires. The token is opaque (not a JWT).</item>
/// </list>
/// </summary>
internal sealed class ServiceAccountAccess(string caPem, TimeProvider time)
{
    public const string MountPath = "/var/run/secrets/kubernetes.io/serviceaccount";
    public const string RootCaConfigMap = "kube-root-ca.crt";
    public const long DefaultExpirationSeconds = 3607;
    private const string NameCharacters = "bcdfghjklmnpqrstvwxz2456789";

    private readonly ConcurrentDictionary<string, (JsonObject User, DateTimeOffset Expires)> _tokens = new(StringComparer.Ordinal);

    /// <summary>The objects a new namespace gets: (plural, object) for the ServiceAccount <c>default</c> and <c>kube-root-ca.crt</c>.</summary>
    public IEnumerable<(string Plural, JsonObject Object)> NamespaceObjects(string @namespace)
    {
        yield return ("serviceaccounts", new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "ServiceAccount",
            ["metadata"] = new JsonObject { ["name"] = "default", ["namespace"] = @namespace },
        });
        yield return ("configmaps", new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "ConfigMap",
            ["metadata"] = new JsonObject
            {
                ["name"] = RootCaConfigMap,
                ["namespace"] = @namespace,
                ["annotations"] = new JsonObject { ["kubernetes.io/description"] = "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters." },
            },
            ["data"] = new JsonObject { ["ca.crt"] = caPem },
        });
    }

    /// <summary>The ServiceAccount admission plugin's mutation of a pod being created; <paramref name="serviceAccount"/> is the named account or null.</summary>
    public static JsonObject AdmitPod(JsonObject pod, string @namespace, Func<string, JsonObject?> serviceAccount)
    {
        var result = pod.DeepClone().AsObject();
        var spec = result["spec"] as JsonObject ?? [];
        result["spec"] = spec;
        var accountName = JsonNodes.GetString(spec, "serviceAccountName") is { Length: > 0 } named ? named : "default";
        spec["serviceAccountName"] = accountName;
        var account = serviceAccount(accountName);
        if (account is null)
        {
            var podName = JsonNodes.MetaString(result, "name") ?? JsonNodes.GetString(result["metadata"], "generateName");
            throw ApiException.Forbidden(string.Empty, "pods", podName, $"error looking up service account {@namespace}/{accountName}: serviceaccount \"{accountName}\" not found");
        }

        var automount = spec["automountServiceAccountToken"] ?? account["automountServiceAccountToken"];
        if (automount?.GetValueKind() == System.Text.Json.JsonValueKind.False)
        {
            return result;
        }

        var containers = new[] { "initContainers", "containers" }.SelectMany(list => (spec[list] as JsonArray ?? []).OfType<JsonObject>()).ToList();
        if (containers.Any(c => (c["volumeMounts"] as JsonArray ?? []).OfType<JsonObject>().Any(m => JsonNodes.GetString(m, "mountPath") == MountPath)))
        {
            return result;
        }

        var volumeName = "kube-api-access-" + string.Concat(Enumerable.Range(0, 5).Select(_ => NameCharacters[RandomNumberGenerator.GetInt32(NameCharacters.Length)]));
        var volumes = spec["volumes"] as JsonArray ?? [];
        spec["volumes"] = volumes;
        volumes.Add(new JsonObject
        {
            ["name"] = volumeName,
            ["projected"] = new JsonObject
            {
                ["defaultMode"] = 420,
                ["sources"] = new JsonArray(
                    new JsonObject { ["serviceAccountToken"] = new JsonObject { ["expirationSeconds"] = DefaultExpirationSeconds, ["path"] = "token" } },
                    new JsonObject { ["configMap"] = new JsonObject { ["name"] = RootCaConfigMap, ["items"] = new JsonArray(new JsonObject { ["key"] = "ca.crt", ["path"] = "ca.crt" }) } },
                    new JsonObject
                    {
                        ["downwardAPI"] = new JsonObject
                        {
                            ["items"] = new JsonArray(new JsonObject { ["path"] = "namespace", ["fieldRef"] = new JsonObject { ["apiVersion"] = "v1", ["fieldPath"] = "metadata.namespace" } }),
                        },
                    }),
            },
        });
        foreach (var container in containers)
        {
            var mounts = container["volumeMounts"] as JsonArray ?? [];
            container["volumeMounts"] = mounts;
            mounts.Add(new JsonObject { ["name"] = volumeName, ["readOnly"] = true, ["mountPath"] = MountPath });
        }

        return result;
    }

    /// <summary>TokenRequest: a new token for the account, valid for <paramref name="expirationSeconds"/> (at least 600, as the apiserver's minimum).</summary>
    public (string Token, DateTimeOffset Expires) Issue(string @namespace, string name, long expirationSeconds)
    {
        var token = "sbx." + Convert.ToHexString(RandomNumberGenerator.GetBytes(24)).ToLowerInvariant();
        var expires = time.GetUtcNow() + TimeSpan.FromSeconds(Math.Max(600, expirationSeconds));
        var user = new JsonObject
        {
            ["username"] = $"system:serviceaccount:{@namespace}:{name}",
            ["groups"] = new JsonArray("system:serviceaccounts", $"system:serviceaccounts:{@namespace}", "system:authenticated"),
        };
        _tokens[token] = (user, expires);
        return (token, expires);
    }

    /// <summary>The user of a token issued here and not expired, else null.</summary>
    public JsonObject? Authenticate(string token) =>
        _tokens.TryGetValue(token, out var issued) && issued.Expires > time.GetUtcNow() ? issued.User.DeepClone().AsObject() : null;

    /// <summary>The TokenRequest answer (<c>authentication.k8s.io/v1</c>), echoing the request's spec.</summary>
    public static JsonObject Response(JsonObject request, string token, DateTimeOffset expires, long expirationSeconds)
    {
        var spec = request["spec"]?.DeepClone() as JsonObject ?? [];
        spec["expirationSeconds"] = expirationSeconds;
        spec["audiences"] ??= new JsonArray("https://kubernetes.default.svc.cluster.local");
        return new JsonObject
        {
            ["kind"] = "TokenRequest",
            ["apiVersion"] = "authentication.k8s.io/v1",
            ["metadata"] = new JsonObject { ["creationTimestamp"] = null },
            ["spec"] = spec,
            ["status"] = new JsonObject { ["token"] = token, ["expirationTimestamp"] = JsonNodes.Timestamp(expires) },
        };
    }

    /// <summary>The expiration a TokenRequest asks for (default one hour).</summary>
    public static long RequestedSeconds(JsonObject request) =>
        JsonNodes.GetInt64(request["spec"]?["expirationSeconds"]) ?? 3600;
}
