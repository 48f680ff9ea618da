using k8s;
using k8s.Models;

namespace SidePool.Operator.Tests.Rbac;

/// <summary>
/// The RBAC documents of a manifest, and every variant of them with one verb of one rule taken away (a rule left without
/// verbs is dropped), so a test can show that each verb on each resource of each rule is needed.
/// </summary>
public sealed record RbacRuleRemovals(IReadOnlyList<object> Documents)
{
    private static readonly HashSet<Type> RbacKinds = [typeof(V1ClusterRole), typeof(V1Role), typeof(V1ClusterRoleBinding), typeof(V1RoleBinding), typeof(V1ServiceAccount)];

    /// <summary>The ServiceAccount, Roles, ClusterRoles and their bindings of a multi-document manifest; everything else is left out.</summary>
    public static RbacRuleRemovals FromManifest(string yaml) =>
        new(KubernetesYaml.LoadAllFromString(yaml).Where(d => d is not null && RbacKinds.Contains(d.GetType())).ToList());

    public string Yaml => string.Join("\n---\n", Documents.Select(d => KubernetesYaml.Serialize(d).TrimEnd('\n')));

    /// <summary>
    /// One removal per verb per resource per rule: which role and rule (what it covers), which resource and verb; and the
    /// manifest without that one permission (the rule split in two when it names several resources).
    /// </summary>
    public IEnumerable<RbacRemoval> Removals()
    {
        for (var d = 0; d < Documents.Count; d++)
        {
            var (kind, name, rules) = Documents[d] switch
            {
                V1ClusterRole role => ("ClusterRole", role.Metadata.Name, role.Rules ?? []),
                V1Role role => ($"Role {role.Metadata.NamespaceProperty}", role.Metadata.Name, role.Rules ?? []),
                _ => (null, null, (IList<V1PolicyRule>)[]),
            };
            for (var r = 0; r < rules.Count; r++)
            {
                var rule = rules[r];
                var groups = string.Join(",", rule.ApiGroups?.Select(g => g.Length == 0 ? "\"\"" : g) ?? []);
                var names = rule.ResourceNames is { Count: > 0 } named ? $" ({string.Join(",", named)})" : string.Empty;
                foreach (var resource in rule.Resources ?? [])
                {
                    foreach (var verb in rule.Verbs)
                    {
                        yield return new RbacRemoval($"{kind}/{name} [{groups}] {resource}{names}", verb, Without(d, r, resource, verb).Yaml);
                    }
                }
            }
        }
    }

    private RbacRuleRemovals Without(int document, int ruleIndex, string resource, string verb)
    {
        var copy = Documents.Select(KubernetesYaml.Serialize).Select(y => KubernetesYaml.LoadAllFromString(y).Single()).ToList();
        var rules = copy[document] switch
        {
            V1ClusterRole role => role.Rules,
            V1Role role => role.Rules,
            _ => throw new InvalidOperationException("not a role"),
        };
        var rule = rules[ruleIndex];
        rules.RemoveAt(ruleIndex);
        var others = rule.Resources.Where(r => r != resource).ToList();
        var verbs = rule.Verbs.Where(v => v != verb).ToList();
        if (verbs.Count > 0)
        {
            rules.Insert(ruleIndex, new V1PolicyRule { ApiGroups = rule.ApiGroups, Resources = [resource], ResourceNames = rule.ResourceNames, Verbs = verbs });
        }

        if (others.Count > 0)
        {
            rules.Insert(ruleIndex, new V1PolicyRule { ApiGroups = rule.ApiGroups, Resources = others, ResourceNames = rule.ResourceNames, Verbs = rule.Verbs });
        }

        return new RbacRuleRemovals(copy);
    }
}

/// <summary>One verb on one resource of one rule taken away.</summary>
public sealed record RbacRemoval(string Rule, string Verb, string Yaml);
