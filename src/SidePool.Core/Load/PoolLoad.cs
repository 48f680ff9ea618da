namespace SidePool.Core;

/// <summary>What the agents of a pool's versions measured, as of <see cref="MeasuredAt"/> (versions no agent answered for are absent).</summary>
public sealed record PoolLoad
{
    public required DateTimeOffset MeasuredAt { get; init; }

    public IReadOnlyDictionary<string, VersionLoad> Versions { get; init; } = new Dictionary<string, VersionLoad>(StringComparer.Ordinal);
}
