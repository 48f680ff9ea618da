using System.Text;

namespace SidePool.Agent.Configuration;

/// <summary>
/// Rewrites settings of <c>pgbouncer.ini</c>'s <c>[pgbouncer]</c> section in the text itself: every line of an
/// overridden key is dropped and the overrides are written right after the section header, so everything else
/// (comments, <c>[databases]</c> with its connection strings) stays byte for byte.
/// </summary>
internal static class IniRewriter
{
    /// <param name="text">A file that passed <see cref="PgBouncerIni.Parse"/>.</param>
    /// <param name="overrides">Key → new value; a null value removes the key (PgBouncer's default applies).</param>
    public static string Rewrite(string text, IReadOnlyDictionary<string, string?> overrides)
    {
        var output = new StringBuilder(text.Length + 256);
        var inPgBouncer = false;
        var written = false;
        foreach (var rawLine in text.Split('\n'))
        {
            var line = rawLine.Trim();
            if (line.StartsWith('['))
            {
                inPgBouncer = string.Equals(line.TrimStart('[').TrimEnd(']').Trim(), "pgbouncer", StringComparison.OrdinalIgnoreCase);
                output.Append(rawLine).Append('\n');
                if (inPgBouncer && !written)
                {
                    AppendOverrides(output, overrides);
                    written = true;
                }

                continue;
            }

            if (inPgBouncer && line.Length > 0 && line[0] is not (';' or '#')
                && line.IndexOf('=', StringComparison.Ordinal) is > 0 and var equals
                && overrides.ContainsKey(line[..equals].Trim().ToLowerInvariant()))
            {
                continue;
            }

            output.Append(rawLine).Append('\n');
        }

        if (!written)
        {
            output.Append("[pgbouncer]\n");
            AppendOverrides(output, overrides);
        }

        // Split leaves one empty entry after a final newline: do not add a second newline for it
        if (text.EndsWith('\n') && output.Length > 0)
        {
            output.Length--;
        }

        return output.ToString();
    }

    private static void AppendOverrides(StringBuilder output, IReadOnlyDictionary<string, string?> overrides)
    {
        output.Append(";; set by sidepool-agent: private copies of the mounted files, restart-only settings pinned to the running values\n");
        foreach (var (key, value) in overrides.OrderBy(o => o.Key, StringComparer.Ordinal))
        {
            if (value is not null)
            {
                output.Append(key).Append(" = ").Append(value).Append('\n');
            }
        }
    }
}
