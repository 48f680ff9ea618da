using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using SidePool.Testing;

namespace SidePool.Chart.Tests;

/// <summary>
/// The chart's PrometheusRule and Grafana dashboard: every metric they name is one the operator or the agent exports,
/// every alert the issue asks for exists, and <c>promtool check rules</c> accepts the alerts and every dashboard query.
/// The exported names come from the golden expositions that tests/SidePool.Agent.Tests and
/// tests/SidePool.Operator.Tests compare with real scrapes of the running agent and operator (not from a list here).
/// </summary>
public sealed partial class ChartObservabilityTests
{
    private static readonly string[] Expositions =
    [
        SourceTree.PathOf("tests", "SidePool.Agent.Tests", "Golden", "metrics.txt"),
        SourceTree.PathOf("tests", "SidePool.Operator.Tests", "Telemetry", "operator-metrics-idle.golden"),
        SourceTree.PathOf("tests", "SidePool.Operator.Tests", "Telemetry", "operator-metrics-exercised.golden"),
    ];

    [Fact]
    public async Task Every_metric_in_the_alerts_and_the_dashboard_is_exported()
    {
        var exported = ExportedNames();
        Assert.Contains("sidepool_operator_webhook_admissions_total", exported);
        Assert.Contains("pgbouncer_pools_client_maxwait_seconds", exported);

        var (rules, dashboard) = await RenderAsync();
        var queries = rules.SelectMany(r => r.Expressions).Concat(dashboard).ToList();
        Assert.NotEmpty(queries);
        var unknown = queries
            .SelectMany(q => MetricName().Matches(q).Select(m => (Query: q, Name: m.Value)))
            .Where(x => !exported.Contains(x.Name))
            .Select(x => $"{x.Name} in: {x.Query}")
            .Distinct()
            .ToList();
        Assert.True(unknown.Count == 0, "not exported by the operator or the agent:\n" + string.Join("\n", unknown));
        Assert.All(queries, q => Assert.Matches(MetricName(), q));
    }

    [Fact]
    public async Task The_alerts_cover_what_operators_of_pools_need()
    {
        var (rules, _) = await RenderAsync();
        var alerts = rules.Select(r => r.Alert).ToList();
        foreach (var expected in new[] { "SidePoolPoolDegraded", "SidePoolOutdatedPodsStuck", "SidePoolDrainNearTimeout", "SidePoolBudgetExceeded", "SidePoolClientsStuck", "SidePoolClientsWaiting", "SidePoolWebhookErrors" })
        {
            Assert.Contains(expected, alerts);
        }
    }

    [Fact]
    public async Task Promtool_accepts_the_alerts_and_every_dashboard_query()
    {
        var (rules, dashboard) = await RenderAsync();
        using var directory = new TestDirectory("sidepool-promtool");
        var ruleFile = directory.WriteFile("alerts.yaml", await RenderedRulesAsync());
        var (code, output) = await PromtoolAsync("check", "rules", ruleFile);
        Assert.True(code == 0, output);
        Assert.Contains($"SUCCESS: {rules.Count} rules found", output, StringComparison.Ordinal);

        // Each dashboard query as a recording rule, Grafana's variables replaced by what they stand for.
        var recording = new JsonObject
        {
            ["groups"] = new JsonArray(new JsonObject
            {
                ["name"] = "dashboard",
                ["rules"] = new JsonArray([.. dashboard.Select((q, i) => (JsonNode)new JsonObject
                {
                    ["record"] = $"dashboard:query{i}",
                    ["expr"] = q.Replace("$__rate_interval", "5m", StringComparison.Ordinal).Replace("$namespace", ".*", StringComparison.Ordinal).Replace("$pool", ".*", StringComparison.Ordinal),
                })]),
            }),
        };
        var dashboardFile = directory.WriteFile("dashboard.json", recording.ToJsonString());
        (code, output) = await PromtoolAsync("check", "rules", dashboardFile);
        Assert.True(code == 0, output);
        Assert.Contains($"SUCCESS: {dashboard.Count} rules found", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Docs_metrics_names_every_exported_metric_and_every_alert()
    {
        var doc = await File.ReadAllTextAsync(SourceTree.PathOf("docs", "metrics.md"));
        var types = Expositions.SelectMany(File.ReadAllLines).Where(l => l.StartsWith("# TYPE ", StringComparison.Ordinal)).Select(l => l.Split(' ')[2]).Distinct();
        Assert.All(types, name => Assert.Contains($"`{name}`", doc, StringComparison.Ordinal));
        var (rules, _) = await RenderAsync();
        Assert.All(rules, r => Assert.Contains($"`{r.Alert}`", doc, StringComparison.Ordinal));
    }

    /// <summary>Every series name of the expositions (histograms with their _bucket, _sum and _count).</summary>
    private static HashSet<string> ExportedNames()
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in Expositions.SelectMany(File.ReadAllLines))
        {
            var parts = line.Split(' ');
            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                names.Add(parts[2]);
                if (parts[3] == "histogram")
                {
                    names.UnionWith([parts[2] + "_bucket", parts[2] + "_sum", parts[2] + "_count"]);
                }
            }
        }

        return names;
    }

    private static async Task<string> RenderedRulesAsync()
    {
        var objects = await ChartTemplateTests.RenderAsync("observability");
        var rule = Assert.Single(objects, o => o["kind"]!.GetValue<string>() == "PrometheusRule");
        return rule["spec"]!.ToJsonString();
    }

    private static async Task<(List<(string Alert, List<string> Expressions)> Rules, List<string> Dashboard)> RenderAsync()
    {
        var objects = await ChartTemplateTests.RenderAsync("observability");
        var rule = Assert.Single(objects, o => o["kind"]!.GetValue<string>() == "PrometheusRule");
        var rules = rule["spec"]!["groups"]!.AsArray()
            .SelectMany(g => g!["rules"]!.AsArray())
            .Select(r => (r!["alert"]!.GetValue<string>(), new List<string> { r["expr"]!.GetValue<string>() }))
            .ToList();
        var configMap = Assert.Single(objects, o => o["kind"]!.GetValue<string>() == "ConfigMap" && o["metadata"]!["name"]!.GetValue<string>().EndsWith("-dashboard", StringComparison.Ordinal));
        var dashboardJson = JsonNode.Parse(configMap["data"]!["sidepool.json"]!.GetValue<string>())!;
        var dashboard = dashboardJson["panels"]!.AsArray().SelectMany(p => p!["targets"]!.AsArray()).Select(t => t!["expr"]!.GetValue<string>()).ToList();
        return (rules, dashboard);
    }

    private static async Task<(int Code, string Output)> PromtoolAsync(params string[] args)
    {
        var binary = Environment.GetEnvironmentVariable("SIDEPOOL_PROMTOOL") is { Length: > 0 } explicitPath ? explicitPath
            : Binaries.FindOnPath("promtool") ?? throw new FileNotFoundException("promtool is required: put it on PATH or set SIDEPOOL_PROMTOOL (.ci/run installs Debian's prometheus package)");
        using var home = new TestDirectory("promtool");
        var result = await ProgramRun.RunAsync(binary, args, home.FullPath);
        return (result.ExitCode, result.Stdout + result.Stderr);
    }

    /// <summary>SidePool's and pgbouncer_exporter's metric names in a PromQL query.</summary>
    [GeneratedRegex(@"\b(?:sidepool|pgbouncer)_[a-z0-9_]+\b")]
    private static partial Regex MetricName();
}
