using k8s;
using k8s.Models;
using Xunit;

namespace SidePool.Operator.Tests.Rbac;

public sealed class RbacRuleRemovalsTests
{
    private const string Manifest = """
        apiVersion: v1
        kind: ServiceAccount
        metadata: {name: sidepool, namespace: sidepool-system}
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata: {name: sidepool}
        rules:
        - apiGroups: [""]
          resources: [pods, nodes]
          verbs: [list, watch]
        - apiGroups: [admissionregistration.k8s.io]
          resources: [mutatingwebhookconfigurations]
          resourceNames: [sidepool]
          verbs: [patch]
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: sidepool, namespace: sidepool-system}
        spec:
          selector: {matchLabels: {app: sidepool}}
          template:
            metadata: {labels: {app: sidepool}}
            spec: {containers: [{name: operator, image: sidepool/operator}]}
        """;

    [Fact]
    public void Every_verb_of_every_rule_is_one_removal_and_a_rule_left_without_verbs_goes()
    {
        var rbac = RbacRuleRemovals.FromManifest(Manifest);
        var removals = rbac.Removals().ToList();

        Assert.Equal(2, rbac.Documents.Count);
        Assert.Equal(
            [
                ("ClusterRole/sidepool [\"\"] pods", "list"), ("ClusterRole/sidepool [\"\"] pods", "watch"),
                ("ClusterRole/sidepool [\"\"] nodes", "list"), ("ClusterRole/sidepool [\"\"] nodes", "watch"),
                ("ClusterRole/sidepool [admissionregistration.k8s.io] mutatingwebhookconfigurations (sidepool)", "patch"),
            ],
            removals.Select(r => (r.Rule, r.Verb)));

        // pods watch taken away: nodes keep both verbs, pods keep list, the webhook rule is untouched
        var withoutWatch = KubernetesYaml.LoadAllFromString(removals[1].Yaml).OfType<V1ClusterRole>().Single();
        Assert.Equal(3, withoutWatch.Rules.Count);
        Assert.Equal(["nodes"], withoutWatch.Rules[0].Resources);
        Assert.Equal(["list", "watch"], withoutWatch.Rules[0].Verbs);
        Assert.Equal(["pods"], withoutWatch.Rules[1].Resources);
        Assert.Equal(["list"], withoutWatch.Rules[1].Verbs);

        // the only verb of a rule taken away: the rule goes
        var withoutPatch = KubernetesYaml.LoadAllFromString(removals[4].Yaml).OfType<V1ClusterRole>().Single();
        Assert.Single(withoutPatch.Rules);
        Assert.Single(KubernetesYaml.LoadAllFromString(removals[4].Yaml).OfType<V1ServiceAccount>());

        // the original is untouched
        Assert.Equal(2, rbac.Documents.OfType<V1ClusterRole>().Single().Rules.Count);
    }
}
