using System.Text;
using System.Text.RegularExpressions;
using Npgsql;
using SidePool.Testing;
using Xunit;

namespace SidePool.Agent.Tests;

/// <summary>
/// The agent's exposition, family by family, apart from the numbers and the label values that differ between runs
/// (ports, revision, PgBouncer's version): metric names, types, HELP text, label names, label order and the series
/// present after known traffic (<c>Golden/metrics.txt</c>) and while PgBouncer does not answer
/// (<c>Golden/metrics-pgbouncer-down.txt</c>). Dashboards and alerts (pgbouncer_exporter's names included) depend on
/// exactly this text, whatever library writes it. Each family's <c># HELP</c> and <c># TYPE</c> lines are compared
/// byte for byte and its series lines byte for byte as a set: the order of the families, and of the lines within a
/// family (a histogram's <c>_sum</c> and <c>_count</c> before or after its buckets), is not part of the contract, as
/// for Prometheus. <c>SIDEPOOL_UPDATE_GOLDEN=1</c> rewrites the files (and fails, so the change is reviewed).
/// </summary>
public sealed partial class MetricsGoldenTests(TestBackend backend) : IClassFixture<TestBackend>
{
    private const SidePool.Testing.PosixSignalNumber SigStop = (SidePool.Testing.PosixSignalNumber)19;
    private const SidePool.Testing.PosixSignalNumber SigCont = (SidePool.Testing.PosixSignalNumber)18;

    [Fact]
    public async Task A_scrape_after_known_traffic_matches_the_golden_exposition()
    {
        await using var agent = await AgentProcess.StartAsync(backend.Server, ["--backend-check-interval", "1h"]);
        await agent.WaitForMetricAsync("sidepool_backend_up", 1, TimeSpan.FromSeconds(10));
        await agent.WaitForStatusAsync("/readyz", 200, TimeSpan.FromSeconds(10));
        await using (var connection = new NpgsqlConnection(agent.AppConnectionString()))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT 1", connection);
            await command.ExecuteScalarAsync();
        }

        var scrape = await agent.GetAsync("/metrics");

        Assert.Equal(200, scrape.Status);
        await AssertMatchesGoldenAsync("metrics.txt", scrape.Body);
    }

    [Fact]
    public async Task A_scrape_while_pgbouncer_does_not_answer_matches_the_golden_exposition()
    {
        await using var agent = await AgentProcess.StartAsync(backend.Server, ["--backend-check-interval", "1h", "--max-restarts", "0"]);
        await agent.WaitForMetricAsync("sidepool_backend_up", 1, TimeSpan.FromSeconds(10));
        await agent.WaitForStatusAsync("/readyz", 200, TimeSpan.FromSeconds(10));
        var pid = await agent.PgBouncerPidAsync();
        SidePool.Testing.ServiceUser.Signal(pid, SigStop);
        (int Status, string Body) scrape;
        try
        {
            scrape = await agent.GetAsync("/metrics");
        }
        finally
        {
            SidePool.Testing.ServiceUser.Signal(pid, SigCont);
        }

        Assert.Equal(200, scrape.Status);
        Assert.Equal(0, AgentProcess.Sample(scrape.Body, "pgbouncer_up"));
        await AssertMatchesGoldenAsync("metrics-pgbouncer-down.txt", scrape.Body);
    }

    [Fact]
    public void Normalizing_keeps_names_help_and_labels_and_masks_only_values_and_run_specific_label_values()
    {
        const string exposition = "# HELP a_total Help \\n text.\n# TYPE a_total counter\na_total{database=\"orders\",port=\"5432\"} 13\n" +
                                  "pgbouncer_version_info{version=\"1.18.0\"} 1\nx_bucket{result=\"up\",le=\"0.005\"} 2\n";

        Assert.Equal(
            "# HELP a_total Help \\n text.\n# TYPE a_total counter\na_total{database=\"orders\",port=\"*\"} *\n" +
            "pgbouncer_version_info{version=\"*\"} *\nx_bucket{result=\"up\",le=\"0.005\"} *\n",
            Normalize(exposition));
    }

    [Fact]
    public void Families_are_split_at_their_help_or_type_line_and_keep_their_series()
    {
        const string exposition = "# HELP b_seconds B.\n# TYPE b_seconds histogram\nb_seconds_sum *\nb_seconds_count *\nb_seconds_bucket{le=\"+Inf\"} *\n" +
                                  "# TYPE a_total counter\n# HELP c C.\n# TYPE c gauge\nc{x=\"1\"} *\n";

        var families = Families(exposition);

        Assert.Equal(["a_total", "b_seconds", "c"], families.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(new Family(["# HELP b_seconds B.", "# TYPE b_seconds histogram"], ["b_seconds_bucket{le=\"+Inf\"} *", "b_seconds_count *", "b_seconds_sum *"]), families["b_seconds"]);
        Assert.Equal(new Family(["# TYPE a_total counter"], []), families["a_total"]);
        Assert.Equal(new Family(["# HELP c C.", "# TYPE c gauge"], ["c{x=\"1\"} *"]), families["c"]);
    }

    /// <summary>Compares family by family (every family of the golden file present, no other, each one equal).</summary>
    private static async Task AssertMatchesGoldenAsync(string golden, string exposition)
    {
        var path = SourceTree.PathOf("tests", "SidePool.Agent.Tests", "Golden", golden);
        var actual = Normalize(exposition);
        if (Environment.GetEnvironmentVariable("SIDEPOOL_UPDATE_GOLDEN") == "1")
        {
            await File.WriteAllTextAsync(path, actual);
            Assert.Fail($"{path} rewritten: review the diff and commit it");
        }

        var expectedFamilies = Families(await File.ReadAllTextAsync(path));
        var actualFamilies = Families(actual);
        Assert.Equal(expectedFamilies.Keys.Order(StringComparer.Ordinal), actualFamilies.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, expected) in expectedFamilies)
        {
            var family = actualFamilies[name];
            Assert.True(expected.Header.SequenceEqual(family.Header), $"{name}: header\nexpected:\n{string.Join('\n', expected.Header)}\nactual:\n{string.Join('\n', family.Header)}");
            Assert.True(expected.Series.SequenceEqual(family.Series), $"{name}: series\nexpected:\n{string.Join('\n', expected.Series)}\nactual:\n{string.Join('\n', family.Series)}");
        }
    }

    /// <summary>
    /// The families of a (normalized) exposition by name: the <c>#</c> lines in their order, and the series lines
    /// sorted (ordinal). A family starts at its first <c># HELP</c> or <c># TYPE</c> line.
    /// </summary>
    private static Dictionary<string, Family> Families(string exposition)
    {
        var families = new Dictionary<string, (List<string> Header, List<string> Series)>(StringComparer.Ordinal);
        List<string>? series = null;
        string? current = null;
        foreach (var line in exposition.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.StartsWith('#'))
            {
                var name = line.Split(' ', 4)[2];
                if (name != current)
                {
                    Assert.False(families.ContainsKey(name), $"family {name} appears twice");
                    families[name] = ([], []);
                    current = name;
                    series = families[name].Series;
                }

                families[name].Header.Add(line);
                continue;
            }

            Assert.True(series is not null, $"a series before any family: {line}");
            series.Add(line);
        }

        return families.ToDictionary(
            f => f.Key,
            f => new Family([.. f.Value.Header], [.. f.Value.Series.Order(StringComparer.Ordinal)]),
            StringComparer.Ordinal);
    }

    /// <summary>Masks sample values, and the values of the labels that change from run to run.</summary>
    private static string Normalize(string exposition)
    {
        var text = new StringBuilder();
        foreach (var line in exposition.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.StartsWith('#'))
            {
                text.Append(line).Append('\n');
                continue;
            }

            var series = line[..line.LastIndexOf(' ')];
            series = RunSpecificLabel().Replace(series, m => $"{m.Groups[1].Value}=\"*\"");
            if (series.StartsWith("pgbouncer_version_info{", StringComparison.Ordinal))
            {
                series = VersionLabel().Replace(series, "version=\"*\"");
            }

            text.Append(series).Append(" *\n");
        }

        return text.ToString();
    }

    [GeneratedRegex("\\b(port|revision)=\"[^\"]*\"")]
    private static partial Regex RunSpecificLabel();

    [GeneratedRegex("\\bversion=\"[^\"]*\"")]
    private static partial Regex VersionLabel();

    /// <summary>One family: its <c>#</c> lines in order, its series lines sorted.</summary>
    private sealed record Family(IReadOnlyList<string> Header, IReadOnlyList<string> Series)
    {
        public bool Equals(Family? other) => other is not null && Header.SequenceEqual(other.Header) && Series.SequenceEqual(other.Series);

        public override int GetHashCode() => HashCode.Combine(Header.Count, Series.Count);
    }
}
