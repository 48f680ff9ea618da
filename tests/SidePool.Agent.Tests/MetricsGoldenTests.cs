using System.Text;
using System.Text.RegularExpressions;
using Npgsql;
using SidePool.Testing;
using Xunit;

namespace SidePool.Agent.Tests;

/// <summary>
/// The agent's exposition, byte for byte apart from the numbers and the label values that differ between runs (ports,
/// revision, PgBouncer's version): metric names, types, HELP text, label names and the series present after known
/// traffic. Dashboards and alerts (pgbouncer_exporter's names included) depend on exactly this text, whatever library
/// writes it. <c>SIDEPOOL_UPDATE_GOLDEN=1</c> rewrites <c>Golden/metrics.txt</c> (and fails, so the change is reviewed).
/// </summary>
public sealed partial class MetricsGoldenTests(TestBackend backend) : IClassFixture<TestBackend>
{
    private static readonly string GoldenPath = SourceTree.PathOf("tests", "SidePool.Agent.Tests", "Golden", "metrics.txt");

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
        var actual = Normalize(scrape.Body);

        Assert.Equal(200, scrape.Status);
        if (Environment.GetEnvironmentVariable("SIDEPOOL_UPDATE_GOLDEN") == "1")
        {
            await File.WriteAllTextAsync(GoldenPath, actual);
            Assert.Fail($"{GoldenPath} rewritten: review the diff and commit it");
        }

        Assert.Equal(await File.ReadAllTextAsync(GoldenPath), actual);
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
}
