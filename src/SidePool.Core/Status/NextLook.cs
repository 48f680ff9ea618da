using SidePool.Api;

namespace SidePool.Core;

/// <summary>
/// When the operator looks at a pool again although nothing changed (events wake it otherwise): soon after
/// publishing (to stamp), when a kept retired Secret's grace ends, and periodically while time-based conditions can
/// change (draining versions, unready or missing pods).
/// </summary>
public static class NextLook
{
    /// <summary>The delay before the next look, or null when only an event needs one.</summary>
    public static TimeSpan? After(NextLookInputs inputs)
    {
        if (inputs.DesiredShortVersion is not null && !inputs.Published)
        {
            return inputs.AfterPublish;
        }

        var versions = inputs.Status.Versions ?? [];
        var draining = versions.Any(v => v.State == VersionStates.Draining);
        if (inputs.DesiredShortVersion is { } desired && !draining && inputs.VersionSecretShortVersions.Any(v => v != desired))
        {
            // a retired version's Secret is kept for a grace period: look again when it ends
            var graceLeft = versions.Where(v => v.State == VersionStates.Retired && v.RetiredAt is not null)
                .Select(v => v.RetiredAt!.Value + inputs.RetiredSecretGrace - inputs.Now)
                .Where(left => left > TimeSpan.Zero)
                .DefaultIfEmpty(inputs.RetiredSecretGrace)
                .Min();
            return graceLeft < inputs.RecheckInterval ? graceLeft : inputs.RecheckInterval;
        }

        var timeBased = draining || inputs.Pods.Any(p => p.Injected && !p.Ready && !p.Terminating) || (inputs.Status.Targets?.Missing ?? 0) > 0;
        return timeBased ? inputs.RecheckInterval : null;
    }
}

public sealed record NextLookInputs
{
    /// <summary>The version the pool renders to; null when it cannot render.</summary>
    public required string? DesiredShortVersion { get; init; }

    public required bool Published { get; init; }

    /// <summary>The short versions of the version Secrets that exist.</summary>
    public required IReadOnlyList<string> VersionSecretShortVersions { get; init; }

    /// <summary>The status just written (or found unchanged).</summary>
    public required ConnectionPoolStatus Status { get; init; }

    public required IReadOnlyList<ObservedPod> Pods { get; init; }

    public required DateTimeOffset Now { get; init; }

    public required TimeSpan AfterPublish { get; init; }

    public required TimeSpan RetiredSecretGrace { get; init; }

    public required TimeSpan RecheckInterval { get; init; }
}
