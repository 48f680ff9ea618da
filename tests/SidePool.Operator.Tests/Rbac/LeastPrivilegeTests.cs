using SidePool.Operator.Hosting;
using Xunit;
using Xunit.Abstractions;

namespace SidePool.Operator.Tests.Rbac;

public sealed class LeastPrivilegeTests(ITestOutputHelper output)
{
    private const string AllRules = """
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata: {name: all}
        rules:
        - apiGroups: ["*"]
          resources: ["*"]
          verbs: ["*"]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRoleBinding
        metadata: {name: all}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: all}
        subjects:
        - {kind: ServiceAccount, name: sidepool, namespace: sidepool-system}
        """;

    [Fact]
    public async Task Scenario_completes_with_every_right()
    {
        var outcome = await RbacScenario.RunAsync(AllRules, "sidepool-system", "sidepool", new OperatorOptions(), TimeSpan.FromSeconds(20));
        foreach (var step in outcome.Steps)
        {
            output.WriteLine($"{step.Name}: {step.Done} {step.Took.TotalSeconds:0.0}s {step.Why}");
        }

        Assert.True(outcome.Completed);
        Assert.Empty(outcome.Denials);
    }

    [Fact]
    public async Task Scenario_fails_with_no_right()
    {
        var outcome = await RbacScenario.RunAsync("apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: sidepool, namespace: sidepool-system}\n", "sidepool-system", "sidepool", new OperatorOptions(), TimeSpan.FromSeconds(10));
        foreach (var step in outcome.Steps)
        {
            output.WriteLine($"{step.Name}: {step.Done} {step.Took.TotalSeconds:0.0}s {step.Why}");
        }

        foreach (var d in outcome.Denials.Distinct())
        {
            output.WriteLine(d);
        }

        Assert.False(outcome.Completed);
    }
}
