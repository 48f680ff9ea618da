namespace SidePool.Core;

/// <summary>
/// The operator's <c>--allowed-image-prefix</c> list: a pool may only run a sidecar image that starts with one of the
/// prefixes (plain string prefixes, as admission policies on image names usually are). An empty list allows any image.
/// </summary>
public static class SidecarImagePolicy
{
    /// <summary>Why <paramref name="image"/> is refused (one sentence naming the image and the prefixes), or null when it is allowed.</summary>
    public static string? Refusal(string image, IReadOnlyList<string> allowedPrefixes)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(allowedPrefixes);
        return allowedPrefixes.Count == 0 || allowedPrefixes.Any(p => image.StartsWith(p, StringComparison.Ordinal))
            ? null
            : $"sidecar image '{image}' is not allowed: it must start with {string.Join(" or ", allowedPrefixes.Select(p => $"'{p}'"))} (the operator's --allowed-image-prefix); set spec.sidecar.image to an allowed image";
    }
}
