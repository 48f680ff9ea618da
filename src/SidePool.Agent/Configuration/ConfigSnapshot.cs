namespace SidePool.Agent.Configuration;

/// <summary>What the config directory held at one moment: its content hash and either a config or the problem with it.</summary>
internal sealed record ConfigSnapshot(string ContentHash, MountedConfig? Config, string? Problem)
{
    public bool IsValid => Config is not null;
}
