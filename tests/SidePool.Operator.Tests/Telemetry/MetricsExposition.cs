using System.Globalization;
using System.Text;

namespace SidePool.Operator.Tests.Telemetry;

/// <summary>
/// A Prometheus text exposition (format 0.0.4) in canonical form, to compare with a golden file: families sorted by
/// name, each as its <c># HELP</c> and <c># TYPE</c> lines exactly as scraped, then its samples sorted by series
/// (name and labels exactly as scraped). A sample's value is kept when it is deterministic in the scenario, else
/// written <c>*</c> (any number). The order of lines in the scrape and how a number is spelled (<c>1E-05</c> or
/// <c>1e-05</c>) are the library's and mean nothing to Prometheus; names, types, labels and HELP text are compared
/// byte for byte.
/// </summary>
internal static class MetricsExposition
{
    private const string Any = "*";

    /// <summary>The canonical form of <paramref name="scrape"/>; <paramref name="exact"/> says which series keep their value.</summary>
    public static string Canonical(string scrape, Func<string, bool> exact)
    {
        var families = Parse(scrape);
        var text = new StringBuilder();
        foreach (var family in families.Values.OrderBy(f => f.Name, StringComparer.Ordinal))
        {
            text.Append(family.Help ?? $"# (no HELP for {family.Name})").Append('\n');
            text.Append(family.Type ?? $"# (no TYPE for {family.Name})").Append('\n');
            foreach (var (series, value) in family.Samples.OrderBy(s => s.Series, StringComparer.Ordinal))
            {
                text.Append(series).Append(' ').Append(exact(series) ? value : Any).Append('\n');
            }
        }

        return text.ToString();
    }

    /// <summary>
    /// The lines of <paramref name="actual"/> that do not match <paramref name="golden"/> (a <c>*</c> value in the
    /// golden matches any number), as a readable list; empty when they match.
    /// </summary>
    public static IReadOnlyList<string> Differences(string golden, string actual)
    {
        var expected = golden.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var got = actual.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var differences = new List<string>();
        for (var i = 0; i < Math.Max(expected.Length, got.Length); i++)
        {
            var e = i < expected.Length ? expected[i] : "(nothing)";
            var a = i < got.Length ? got[i] : "(nothing)";
            if (!Matches(e, a))
            {
                differences.Add($"line {i + 1}: expected «{e}», got «{a}»");
            }
        }

        return differences;
    }

    /// <summary>Problems of the histograms in <paramref name="scrape"/>: buckets must be cumulative, and +Inf equal _count.</summary>
    public static IReadOnlyList<string> HistogramProblems(string scrape)
    {
        var problems = new List<string>();
        foreach (var family in Parse(scrape).Values.Where(f => f.Type?.EndsWith(" histogram", StringComparison.Ordinal) == true))
        {
            var byLabels = family.Samples
                .Where(s => s.Series.StartsWith(family.Name + "_bucket", StringComparison.Ordinal))
                .GroupBy(s => WithoutLe(s.Series[(family.Name.Length + "_bucket".Length)..]), StringComparer.Ordinal);
            foreach (var series in byLabels)
            {
                var counts = series.Select(s => double.Parse(s.Value, CultureInfo.InvariantCulture)).ToList();
                var sorted = series.OrderBy(s => Le(s.Series), Comparer<double>.Default).Select(s => double.Parse(s.Value, CultureInfo.InvariantCulture)).ToList();
                if (!sorted.Zip(sorted.Skip(1)).All(p => p.First <= p.Second))
                {
                    problems.Add($"{family.Name}{series.Key}: buckets are not cumulative");
                }

                var count = family.Samples.FirstOrDefault(s => s.Series == family.Name + "_count" + series.Key).Value;
                var infinite = series.FirstOrDefault(s => s.Series.Contains("le=\"+Inf\"", StringComparison.Ordinal)).Value;
                if (count is null || infinite is null || double.Parse(count, CultureInfo.InvariantCulture) != double.Parse(infinite, CultureInfo.InvariantCulture))
                {
                    problems.Add($"{family.Name}{series.Key}: _count {count ?? "missing"} but +Inf bucket {infinite ?? "missing"} ({counts.Count} buckets)");
                }
            }
        }

        return problems;
    }

    private static bool Matches(string expected, string actual)
    {
        if (expected == actual)
        {
            return true;
        }

        var e = expected.LastIndexOf(' ');
        var a = actual.LastIndexOf(' ');
        return !expected.StartsWith('#') && e > 0 && a > 0 && expected[(e + 1)..] == Any && expected[..e] == actual[..a] &&
            double.TryParse(actual[(a + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out _);
    }

    private static string WithoutLe(string labels)
    {
        var le = labels.IndexOf("le=\"", StringComparison.Ordinal);
        if (le < 0)
        {
            return labels;
        }

        var end = labels.IndexOf('"', le + 4);
        var without = labels.Remove(le, end - le + 1).Replace("{,", "{", StringComparison.Ordinal).Replace(",}", "}", StringComparison.Ordinal).Replace(",,", ",", StringComparison.Ordinal);
        return without == "{}" ? "" : without;
    }

    private static double Le(string series)
    {
        var le = series.IndexOf("le=\"", StringComparison.Ordinal) + 4;
        var value = series[le..series.IndexOf('"', le)];
        return value == "+Inf" ? double.PositiveInfinity : double.Parse(value, CultureInfo.InvariantCulture);
    }

    private static Dictionary<string, Family> Parse(string scrape)
    {
        var families = new Dictionary<string, Family>(StringComparer.Ordinal);
        Family Of(string name) => families.TryGetValue(name, out var f) ? f : families[name] = new Family(name);
        foreach (var line in scrape.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.StartsWith("# HELP ", StringComparison.Ordinal))
            {
                Of(line.Split(' ', 4)[2]).Help = line;
            }
            else if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                Of(line.Split(' ', 4)[2]).Type = line;
            }
            else if (!line.StartsWith('#'))
            {
                var space = line.LastIndexOf(' ');
                var series = line[..space];
                var name = series.Split('{', 2)[0];
                var family = families.Values.FirstOrDefault(f => f.Type?.EndsWith(" histogram", StringComparison.Ordinal) == true &&
                    (name == f.Name + "_bucket" || name == f.Name + "_sum" || name == f.Name + "_count")) ?? Of(name);
                family.Samples.Add((series, line[(space + 1)..]));
            }
        }

        return families;
    }

    private sealed class Family(string name)
    {
        public string Name { get; } = name;

        public string? Help { get; set; }

        public string? Type { get; set; }

        public List<(string Series, string Value)> Samples { get; } = [];
    }
}
