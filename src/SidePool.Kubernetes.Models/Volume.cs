namespace SidePool.Kubernetes.Models;

/// <summary><c>v1 Volume</c>: the sources SidePool uses (secret, emptyDir, configMap).</summary>
public sealed record Volume
{
    public required string Name { get; init; }
    public SecretVolumeSource? Secret { get; init; }
    public EmptyDirVolumeSource? EmptyDir { get; init; }
    public ConfigMapVolumeSource? ConfigMap { get; init; }
}

/// <summary><c>v1 SecretVolumeSource</c>.</summary>
public sealed record SecretVolumeSource
{
    public string? SecretName { get; init; }
    public int? DefaultMode { get; init; }
    public bool? Optional { get; init; }
    public IReadOnlyList<KeyToPath>? Items { get; init; }
}

/// <summary><c>v1 ConfigMapVolumeSource</c>.</summary>
public sealed record ConfigMapVolumeSource
{
    public string? Name { get; init; }
    public int? DefaultMode { get; init; }
    public bool? Optional { get; init; }
    public IReadOnlyList<KeyToPath>? Items { get; init; }
}

/// <summary><c>v1 KeyToPath</c>.</summary>
public sealed record KeyToPath
{
    public required string Key { get; init; }
    public required string Path { get; init; }
    public int? Mode { get; init; }
}

/// <summary><c>v1 EmptyDirVolumeSource</c>: medium "" or "Memory"; sizeLimit a quantity.</summary>
public sealed record EmptyDirVolumeSource
{
    public string? Medium { get; init; }
    public string? SizeLimit { get; init; }
}
