using System.Text;
using System.Text.RegularExpressions;
using k8s;
using k8s.Models;
using SidePool.Operator.Hosting;
using SidePool.Testing;
using Xunit;
using Xunit.Abstractions;

namespace SidePool.Operator.Tests.Rbac;

/// <summary>
/// Issue 12, item 2: the chart's RBAC is least privilege, proven. The chart is rendered with helm (default values), the
/// operator runs with the rendered Deployment's own args as the chart's service account on an API server that enforces
/// exactly the rendered Roles and ClusterRoles, and <see cref="RbacScenario"/> completes; then every verb on every
/// resource of every rule is taken away, one at a time, and the scenario must fail each time, so no permission is unused.
/// The table (permission → the step that broke and what the server refused) is written to the test output and to
/// <c>out/rbac-least-privilege-&lt;value set&gt;.md</c>.
/// </summary>
public sealed partial class LeastPrivilegeTests(ITestOutputHelper output)
{
    private const string Release = "sidepool";
    private const string ReleaseNamespace = "sidepool-system";
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The value sets whose RBAC differs: pools anywhere (a ClusterRole), or one watched namespace (Roles).</summary>
    public static TheoryData<string, string[]> ValueSets() => new()
    {
        { "defaults", [] },
        { "watched-namespace", ["--set", $"watchNamespaces[0]={RbacScenario.AppNamespace}"] },
    };

    [Theory]
    [MemberData(nameof(ValueSets))]
    public async Task The_charts_rules_let_the_operator_do_its_work_and_every_verb_of_every_rule_is_needed(string valueSet, string[] values)
    {
        var manifest = await RenderChartAsync(values);
        var rbac = RbacRuleRemovals.FromManifest(manifest);
        var (options, serviceAccount) = OperatorFromChart(manifest);

        // with every rule granted each step has three times as long: a slow machine must not make the proof fail; a
        // removal's run fails whatever the timeout, so the shorter one there only saves time
        var granted = await RbacScenario.RunAsync(rbac.Yaml, ReleaseNamespace, serviceAccount, options, StepTimeout * 3);
        output.WriteLine($"with the chart's rules: {Describe(granted)}");
        Assert.True(granted.Completed, $"the operator could not do its work with the chart's rules: {Describe(granted)}\n{string.Join("\n", granted.Denials.Distinct())}");
        Assert.Empty(granted.Denials);

        var removals = rbac.Removals().ToList();
        var results = new (RbacRemoval Removal, RbacOutcome Outcome)[removals.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, removals.Count), new ParallelOptions { MaxDegreeOfParallelism = 6 }, async (i, _) =>
            results[i] = (removals[i], await RbacScenario.RunAsync(removals[i].Yaml, ReleaseNamespace, serviceAccount, options, StepTimeout)));

        var table = new StringBuilder("| rule | verb taken away | what broke (first step not reached) | refused request |\n|---|---|---|---|\n");
        foreach (var (removal, outcome) in results)
        {
            table.Append($"| {removal.Rule} | {removal.Verb} | {outcome.FirstFailure?.Name ?? "NOTHING: the scenario completed"} | {outcome.Denials.FirstOrDefault() ?? ""} |\n");
        }

        output.WriteLine(table.ToString());
        var file = SourceTree.PathOf("out", $"rbac-least-privilege-{valueSet}.md");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        await File.WriteAllTextAsync(file, table.ToString());

        Assert.True(removals.Count >= 20, $"only {removals.Count} permissions rendered");
        Assert.All(results, r => Assert.False(r.Outcome.Completed, $"{r.Removal.Rule} {r.Removal.Verb} is not needed: the scenario completed without it"));
        Assert.All(results, r => Assert.NotEmpty(r.Outcome.Denials));
    }

    private static string Describe(RbacOutcome outcome) =>
        string.Join("; ", outcome.Steps.Select(s => $"{s.Name}: {(s.Done ? "ok" : "NOT REACHED")} {s.Took.TotalSeconds:0.0}s"));

    private static async Task<string> RenderChartAsync(string[] values)
    {
        using var helm = new Helm();
        return await helm.RunOkAsync(["template", Release, Helm.ChartDirectory, "--namespace", ReleaseNamespace, .. values]);
    }

    /// <summary>The operator's options from the rendered Deployment's own args (with $(VAR) expanded as the kubelet does) and its service account.</summary>
    private static (OperatorOptions Options, string ServiceAccount) OperatorFromChart(string manifest)
    {
        var deployment = KubernetesYaml.LoadAllFromString(manifest).OfType<V1Deployment>().Single();
        var pod = deployment.Spec.Template.Spec;
        var container = pod.Containers.Single(c => c.Args is { Count: > 0 });
        var environment = new Dictionary<string, string> { ["POD_NAMESPACE"] = ReleaseNamespace, ["POD_NAME"] = "sidepool-0" };
        var args = container.Args.Select(a => Variable().Replace(a, m => environment.TryGetValue(m.Groups[1].Value, out var v) ? v : m.Value)).ToList();
        return (OperatorOptionsParser.Parse(args), pod.ServiceAccountName);
    }

    [GeneratedRegex(@"\$\(([A-Z_]+)\)")]
    private static partial Regex Variable();
}
