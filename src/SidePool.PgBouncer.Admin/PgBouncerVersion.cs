using System.Globalization;
using System.Text.RegularExpressions;

namespace SidePool.PgBouncer.Admin;

/// <summary>A PgBouncer version and the features SidePool uses by version.</summary>
public sealed partial record PgBouncerVersion(int Major, int Minor, int Patch) : IComparable<PgBouncerVersion>
{
    /// <summary><c>SHUTDOWN WAIT_FOR_CLIENTS</c> / <c>WAIT_FOR_SERVERS</c>, and SIGTERM = wait for clients.</summary>
    public bool SupportsGracefulShutdownCommands => this >= new PgBouncerVersion(1, 23, 0);

    /// <summary>RELOAD reports a configuration file that fails to load as an error.</summary>
    public bool ReportsReloadErrors => this >= new PgBouncerVersion(1, 25, 0);

    /// <summary>Parses <c>PgBouncer 1.18.0</c>, <c>pgbouncer 1.23.1</c> or <c>1.24</c> (the first version number found).</summary>
    public static bool TryParse(string? text, out PgBouncerVersion version)
    {
        var match = text is null ? Match.Empty : VersionPattern().Match(text);
        if (!match.Success)
        {
            version = new PgBouncerVersion(0, 0, 0);
            return false;
        }

        version = new PgBouncerVersion(
            int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture),
            int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture),
            match.Groups[3].Success ? int.Parse(match.Groups[3].Value, CultureInfo.InvariantCulture) : 0);
        return true;
    }

    public static PgBouncerVersion Parse(string text) =>
        TryParse(text, out var version) ? version : throw new FormatException($"no PgBouncer version in '{text}'");

    public int CompareTo(PgBouncerVersion? other) =>
        other is null ? 1 : (Major, Minor, Patch).CompareTo((other.Major, other.Minor, other.Patch));

    public static bool operator <(PgBouncerVersion left, PgBouncerVersion right) => left.CompareTo(right) < 0;

    public static bool operator >(PgBouncerVersion left, PgBouncerVersion right) => left.CompareTo(right) > 0;

    public static bool operator <=(PgBouncerVersion left, PgBouncerVersion right) => left.CompareTo(right) <= 0;

    public static bool operator >=(PgBouncerVersion left, PgBouncerVersion right) => left.CompareTo(right) >= 0;

    public override string ToString() => $"{Major}.{Minor}.{Patch}";

    [GeneratedRegex(@"(\d+)\.(\d+)(?:\.(\d+))?")]
    private static partial Regex VersionPattern();
}
