
namespace SidePool.Sandbox.Kubelet;

/// <summary>
/// What a Secret volume holds, as the kubelet's secret volume plugin computes it: every key (or only <c>items</c>, at
/// their <c>path</c>), mode <c>items[].mode</c>, else <c>defaultMode</c>, else 0644. A missing Secret or key fails the
/// mount unless <c>optional</c>.
/// </summary>
internal static class SecretVolumePayload
{
    public const int DefaultMode = 0b110_100_100; // 0644

    public static IReadOnlyDictionary<string, VolumeFile> Build(SecretVolumeSource source, Secret? secret)
    {
        ArgumentNullException.ThrowIfNull(source);
        var optional = source.Optional == true;
        if (secret is null)
        {
            return optional ? new Dictionary<string, VolumeFile>() : throw new VolumeNotReadyException($"secret \"{source.SecretName}\" not found");
        }

        var data = Merged(secret);
        var mode = source.DefaultMode ?? DefaultMode;
        var payload = new Dictionary<string, VolumeFile>(StringComparer.Ordinal);
        if (source.Items is not { Count: > 0 } items)
        {
            foreach (var (key, value) in data)
            {
                payload[key] = new VolumeFile(value, mode);
            }

            return payload;
        }

        foreach (var item in items)
        {
            if (!data.TryGetValue(item.Key, out var value))
            {
                if (optional)
                {
                    continue;
                }

                throw new VolumeNotReadyException($"references non-existent secret key: {item.Key}");
            }

            payload[item.Path] = new VolumeFile(value, item.Mode ?? mode);
        }

        return payload;
    }

    /// <summary><c>data</c> with <c>stringData</c> over it (the API server merges them; a stored Secret has only data).</summary>
    public static Dictionary<string, byte[]> Merged(Secret secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        var data = new Dictionary<string, byte[]>(secret.Data ?? new Dictionary<string, byte[]>(), StringComparer.Ordinal);
        foreach (var (key, value) in secret.StringData ?? new Dictionary<string, string>())
        {
            data[key] = System.Text.Encoding.UTF8.GetBytes(value);
        }

        return data;
    }
}
