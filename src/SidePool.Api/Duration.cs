using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.RegularExpressions;

namespace SidePool.Api;

/// <summary>
/// Durations as users write them in Kubernetes manifests: a sequence of number+unit pairs with units
/// <c>ms</c>, <c>s</c>, <c>m</c>, <c>h</c> (e.g. <c>30s</c>, <c>5m</c>, <c>1h30m</c>, <c>1.5s</c>), or <c>0</c>.
/// </summary>
public static partial class Duration
{
    /// <summary>The pattern the CRD uses; it accepts exactly what <see cref="TryParse"/> accepts.</summary>
    public const string Pattern = @"^(0|([0-9]+(\.[0-9]+)?(ms|s|m|h))+)$";

    /// <summary>Upper bound: PgBouncer keeps times in microseconds in 64-bit integers, but nothing sensible exceeds a year.</summary>
    public static readonly TimeSpan Maximum = TimeSpan.FromDays(366);

    public static bool TryParse(string? text, [NotNullWhen(true)] out TimeSpan? value)
    {
        value = null;
        // (.NET's '$' also matches before a final newline: rule that out explicitly)
        if (text is null || text.EndsWith('\n') || !WholePattern().IsMatch(text))
        {
            return false;
        }

        var total = TimeSpan.Zero;
        foreach (Match part in PartPattern().Matches(text))
        {
            var number = decimal.Parse(part.Groups["n"].Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
            var milliseconds = part.Groups["u"].Value switch
            {
                "ms" => number,
                "s" => number * 1_000m,
                "m" => number * 60_000m,
                _ => number * 3_600_000m,
            };
            if (milliseconds > (decimal)Maximum.TotalMilliseconds)
            {
                return false;
            }

            total += TimeSpan.FromMilliseconds((double)milliseconds);
            if (total > Maximum)
            {
                return false;
            }
        }

        value = total;
        return true;
    }

    public static TimeSpan Parse(string text) =>
        TryParse(text, out var value) ? value.Value : throw new FormatException($"'{text}' is not a duration such as 30s, 5m, 1h30m");

    /// <summary>Seconds as PgBouncer reads them (it accepts fractions).</summary>
    public static string ToPgBouncerSeconds(TimeSpan value) =>
        value.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);

    [GeneratedRegex(Pattern, RegexOptions.CultureInvariant)]
    private static partial Regex WholePattern();

    [GeneratedRegex(@"(?<n>[0-9]+(\.[0-9]+)?)(?<u>ms|s|m|h)", RegexOptions.CultureInvariant)]
    private static partial Regex PartPattern();
}
