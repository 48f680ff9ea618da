using SidePool.Contract;

namespace SidePool.Core;

/// <summary>The version and config revision the pool renders to now (full hashes).</summary>
public sealed record DesiredVersion(string Hash, string ConfigRevision)
{
    public string Short => VersionContract.Short(Hash);
}

/// <summary>A version Secret that exists: its short version, full hash, config revision and creation time.</summary>
public sealed record KnownVersion(string Short, string? Hash, string? ConfigRevision, DateTimeOffset? CreatedAt);
