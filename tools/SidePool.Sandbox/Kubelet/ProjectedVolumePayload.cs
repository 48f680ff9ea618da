namespace SidePool.Sandbox.Kubelet;

/// <summary>
/// What a projected volume holds, as the kubelet's projected volume plugin computes it: each source's files at their paths
/// (<c>serviceAccountToken</c> at its <c>path</c>, a ConfigMap's or Secret's keys or <c>items</c>, downwardAPI
/// <c>fieldRef</c> items), mode the item's, else <c>defaultMode</c>, else 0644 (the token file too, as with the admission
/// plugin's defaultMode 420). A missing ConfigMap, Secret or key fails the mount unless the source is optional.
/// </summary>
internal static class ProjectedVolumePayload
{
    /// <param name="tokens">The service-account tokens the kubelet requested, by the source's path.</param>
    public static IReadOnlyDictionary<string, VolumeFile> Build(V1ProjectedVolumeSource source, Pod pod, IObjectLookup objects, IReadOnlyDictionary<string, string> tokens, string podIp)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(pod);
        var ns = pod.Metadata?.NamespaceProperty ?? "default";
        var mode = source.DefaultMode ?? SecretVolumePayload.DefaultMode;
        var payload = new Dictionary<string, VolumeFile>(StringComparer.Ordinal);
        foreach (var projection in source.Sources ?? [])
        {
            if (projection.ServiceAccountToken is { } token)
            {
                payload[token.Path] = new VolumeFile(System.Text.Encoding.UTF8.GetBytes(tokens.TryGetValue(token.Path, out var value) ? value : throw new VolumeNotReadyException($"no token for {token.Path}")), mode);
            }
            else if (projection.ConfigMap is { } configMap)
            {
                var map = objects.ConfigMap(ns, configMap.Name ?? string.Empty);
                var asSecret = new SecretVolumeSource { SecretName = configMap.Name, DefaultMode = mode, Optional = configMap.Optional, Items = configMap.Items };
                var data = map is null ? null : new Secret { Data = (map.Data ?? new Dictionary<string, string>()).ToDictionary(p => p.Key, p => System.Text.Encoding.UTF8.GetBytes(p.Value)) };
                try
                {
                    Add(payload, SecretVolumePayload.Build(asSecret, data));
                }
                catch (VolumeNotReadyException) when (map is null)
                {
                    throw new VolumeNotReadyException($"configmap \"{configMap.Name}\" not found");
                }
            }
            else if (projection.Secret is { } secret)
            {
                var asSecret = new SecretVolumeSource { SecretName = secret.Name, DefaultMode = mode, Optional = secret.Optional, Items = secret.Items };
                Add(payload, SecretVolumePayload.Build(asSecret, objects.Secret(ns, secret.Name ?? string.Empty)));
            }
            else if (projection.DownwardAPI is { } downward)
            {
                foreach (var item in downward.Items ?? [])
                {
                    var value = item.FieldRef is { } field
                        ? EnvironmentBuilder.FieldValue(field.FieldPath, pod, podIp) ?? throw new VolumeNotReadyException($"unsupported fieldPath: {field.FieldPath}")
                        : throw new VolumeNotReadyException($"downwardAPI item {item.Path}: only fieldRef is supported by the sandbox");
                    payload[item.Path] = new VolumeFile(System.Text.Encoding.UTF8.GetBytes(value), item.Mode ?? mode);
                }
            }
            else
            {
                throw new VolumeNotReadyException("projected volume: only serviceAccountToken, configMap, secret and downwardAPI sources are supported by the sandbox");
            }
        }

        return payload;
    }

    private static void Add(Dictionary<string, VolumeFile> payload, IReadOnlyDictionary<string, VolumeFile> files)
    {
        foreach (var (path, file) in files)
        {
            payload[path] = file;
        }
    }
}
