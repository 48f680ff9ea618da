using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace SidePool.Sandbox.Kubelet;

/// <summary>
/// A container's environment as the kubelet builds it (kubelet_pods.go makeEnvironmentVariables): <c>envFrom</c> first
/// (every key, with the prefix; keys that are not valid variable names are skipped), then <c>env</c> in order, a later
/// definition replacing an earlier one. Only literal <c>value</c>s are expanded (<see cref="EnvExpansion"/>), against what
/// is defined so far; <c>valueFrom</c> is taken as is. A missing Secret, ConfigMap or key fails the container
/// (CreateContainerConfigError) unless the reference is optional. The kubelet's service variables
/// (<c>KUBERNETES_SERVICE_HOST</c>/<c>PORT</c>, <paramref name="serviceEnvironment"/>) come before everything, so the pod's own
/// definitions replace them and <c>$(KUBERNETES_SERVICE_HOST)</c> expands.
/// </summary>
internal static partial class EnvironmentBuilder
{
    public static IReadOnlyList<KeyValuePair<string, string>> Build(Container container, Pod pod, IObjectLookup objects, string podIp, string hostIp = "127.0.0.1", IReadOnlyList<KeyValuePair<string, string>>? serviceEnvironment = null)
    {
        ArgumentNullException.ThrowIfNull(container);
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(objects);
        var ns = pod.Metadata?.NamespaceProperty ?? "default";
        var order = new List<string>();
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        void Set(string name, string value)
        {
            if (!values.ContainsKey(name))
            {
                order.Add(name);
            }

            values[name] = value;
        }

        foreach (var (name, value) in serviceEnvironment ?? [])
        {
            Set(name, value);
        }

        foreach (var source in container.EnvFrom ?? [])
        {
            IEnumerable<KeyValuePair<string, string>> entries;
            if (source.SecretRef is { } secretRef)
            {
                var secret = objects.Secret(ns, secretRef.Name ?? string.Empty);
                if (secret is null)
                {
                    entries = secretRef.Optional == true ? [] : throw new ContainerConfigException($"secret \"{secretRef.Name}\" not found");
                }
                else
                {
                    entries = SecretVolumePayload.Merged(secret).Select(p => KeyValuePair.Create(p.Key, Encoding.UTF8.GetString(p.Value)));
                }
            }
            else if (source.ConfigMapRef is { } configMapRef)
            {
                var configMap = objects.ConfigMap(ns, configMapRef.Name ?? string.Empty);
                if (configMap is null)
                {
                    entries = configMapRef.Optional == true ? [] : throw new ContainerConfigException($"configmap \"{configMapRef.Name}\" not found");
                }
                else
                {
                    entries = configMap.Data ?? new Dictionary<string, string>();
                }
            }
            else
            {
                continue;
            }

            foreach (var (key, value) in entries.OrderBy(e => e.Key, StringComparer.Ordinal))
            {
                var name = (source.Prefix ?? string.Empty) + key;
                if (ValidName().IsMatch(name))
                {
                    Set(name, value);
                }
            }
        }

        foreach (var variable in container.Env ?? [])
        {
            if (variable.ValueFrom is { } from)
            {
                if (Resolve(from, pod, ns, objects, podIp, hostIp) is { } resolved)
                {
                    Set(variable.Name, resolved);
                }
            }
            else
            {
                Set(variable.Name, EnvExpansion.Expand(variable.Value ?? string.Empty, n => values.GetValueOrDefault(n)));
            }
        }

        return order.Select(n => KeyValuePair.Create(n, values[n])).ToList();
    }

    /// <summary>Expands <c>command</c> and <c>args</c> with the container's final environment, as the kubelet does.</summary>
    public static IReadOnlyList<string> ExpandArguments(IEnumerable<string>? arguments, IReadOnlyList<KeyValuePair<string, string>> environment)
    {
        var map = environment.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
        return (arguments ?? []).Select(a => EnvExpansion.Expand(a, n => map.GetValueOrDefault(n))).ToList();
    }

    private static string? Resolve(EnvVarSource from, Pod pod, string ns, IObjectLookup objects, string podIp, string hostIp)
    {
        if (from.SecretKeyRef is { } secretKey)
        {
            var secret = objects.Secret(ns, secretKey.Name ?? string.Empty);
            if (secret is null)
            {
                return secretKey.Optional == true ? null : throw new ContainerConfigException($"secret \"{secretKey.Name}\" not found");
            }

            return SecretVolumePayload.Merged(secret).TryGetValue(secretKey.Key, out var bytes)
                ? Encoding.UTF8.GetString(bytes)
                : secretKey.Optional == true ? null : throw new ContainerConfigException($"couldn't find key {secretKey.Key} in Secret {ns}/{secretKey.Name}");
        }

        if (from.ConfigMapKeyRef is { } configMapKey)
        {
            var configMap = objects.ConfigMap(ns, configMapKey.Name ?? string.Empty);
            if (configMap is null)
            {
                return configMapKey.Optional == true ? null : throw new ContainerConfigException($"configmap \"{configMapKey.Name}\" not found");
            }

            return configMap.Data?.TryGetValue(configMapKey.Key, out var value) == true
                ? value
                : configMapKey.Optional == true ? null : throw new ContainerConfigException($"couldn't find key {configMapKey.Key} in ConfigMap {ns}/{configMapKey.Name}");
        }

        if (from.FieldRef is { } field)
        {
            return FieldValue(field.FieldPath, pod, podIp, hostIp) ?? throw new ContainerConfigException($"unsupported fieldPath: {field.FieldPath}");
        }

        return null;
    }

    /// <summary>The downward API fields a kubelet resolves for env (<c>fieldRef.fieldPath</c>).</summary>
    public static string? FieldValue(string path, Pod pod, string podIp, string hostIp = "127.0.0.1")
    {
        ArgumentNullException.ThrowIfNull(pod);
        var metadata = pod.Metadata;
        if (SubscriptPath().Match(path) is { Success: true } subscript)
        {
            var map = subscript.Groups[1].Value == "labels" ? metadata?.Labels : metadata?.Annotations;
            return map is not null && map.TryGetValue(subscript.Groups[2].Value, out var value) ? value : string.Empty;
        }

        return path switch
        {
            "metadata.name" => metadata?.Name ?? string.Empty,
            "metadata.namespace" => metadata?.NamespaceProperty ?? string.Empty,
            "metadata.uid" => metadata?.Uid ?? string.Empty,
            "metadata.labels" => Format(metadata?.Labels),
            "metadata.annotations" => Format(metadata?.Annotations),
            "spec.nodeName" => pod.Spec?.NodeName ?? string.Empty,
            "spec.serviceAccountName" => pod.Spec?.ServiceAccountName ?? string.Empty,
            "status.podIP" or "status.podIPs" => podIp,
            "status.hostIP" or "status.hostIPs" => hostIp,
            _ => null,
        };
    }

    /// <summary><c>key="value"</c> lines sorted by key, as the downward API formats a map.</summary>
    private static string Format(IDictionary<string, string>? map) =>
        string.Join('\n', (map ?? new Dictionary<string, string>()).OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key}=\"{p.Value}\"")));

    [GeneratedRegex(@"^metadata\.(labels|annotations)\['([^']*)'\]$")]
    private static partial Regex SubscriptPath();

    [GeneratedRegex(@"^[-._a-zA-Z][-._a-zA-Z0-9]*$")]
    private static partial Regex ValidName();
}
