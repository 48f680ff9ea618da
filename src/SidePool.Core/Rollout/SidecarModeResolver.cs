using System.Globalization;
using System.Text.RegularExpressions;

namespace SidePool.Core;

/// <summary>
/// Chooses the sidecar mode: <c>native</c> (init container with <c>restartPolicy: Always</c>) or <c>classic</c>.
/// <c>auto</c> is native when every node's kubelet is 1.29 or newer (and when no node is known).
/// </summary>
public static partial class SidecarModeResolver
{
    public const string Auto = "auto";
    public const string Native = "native";
    public const string Classic = "classic";

    public static string Resolve(string flag, IEnumerable<string?> kubeletVersions) => flag switch
    {
        Native => Native,
        Classic => Classic,
        Auto => kubeletVersions.All(SupportsNative) ? Native : Classic,
        _ => throw new ArgumentException($"unknown sidecar mode '{flag}' (auto, native or classic)", nameof(flag)),
    };

    /// <summary>True for kubelet versions 1.29 and newer (<c>v1.29.3</c>, <c>v1.30.1-eks-abc</c>); unknown forms are false.</summary>
    public static bool SupportsNative(string? kubeletVersion)
    {
        var match = kubeletVersion is null ? null : VersionPattern().Match(kubeletVersion);
        if (match is not { Success: true })
        {
            return false;
        }

        var major = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        var minor = int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture);
        return major > 1 || (major == 1 && minor >= 29);
    }

    [GeneratedRegex(@"^v?(\d{1,4})\.(\d{1,4})")]
    private static partial Regex VersionPattern();
}
