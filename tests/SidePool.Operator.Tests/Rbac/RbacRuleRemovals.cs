using k8s;
using k8s.Models;

namespace SidePool.Operator.Tests.Rbac;

/// <summary>
/// The RBAC documents of a manifest, and every variant of them with one verb of one rule taken away (a rule left without
/// verbs is dropped), so a test can show that each verb of each rule is needed.
/// </summary>
public sealed record RbacRuleRemovals(IReadOnlyList<object> Documents)
{
    private static readonly HashSet<Type> RbacKinds = [typeof(V1ClusterRole), typeof(V1Role), typeof(V1ClusterRoleBinding), typeof(V1RoleBinding), typeof(V1ServiceAccount)];

    /// <summary>The ServiceAccount, Roles, ClusterRoles and their bindings of a multi-document manifest; everything else is left out.</summary>
    public static RbacRuleRemovals FromManifest(string yaml) =>
        new(KubernetesYaml.LoadAllFromString(yaml).Where(d => d is not null && RbacKinds.Contains(d.GetType())).ToList());

    public string Yaml => string.Join("\n---\n", Documents.Select(d => KubernetesYaml.Serialize(d).TrimEnd('\n')));

    /// <summary>One removal: which role, which rule (by index and what it covers), which verb; and the manifest without it.</summary>
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
                foreach (var verb in rules[r].Verbs)
                {
                    var rule = rules[r];
                    var described = $"{kind}/{name} [{string.Join(",", rule.ApiGroups?.Select(g => g.Length == 0 ? "\"\"" : g) ?? [])}] {string.Join(",", rule.Resources ?? [])}" +
                        (rule.ResourceNames is { Count: > 0 } names ? $" ({string.Join(",", names)})" : string.Empty);
                    yield return new RbacRemoval(described, verb, Without(d, r, verb).Yaml);
                }
            }
        }
    }

    private RbacRuleRemovals Without(int document, int ruleIndex, string verb)
    {
        var copy = Documents.Select(KubernetesYaml.Serialize).Select(y => KubernetesYaml.LoadAllFromString(y).Single()).ToList();
        var rules = copy[document] switch
        {
            V1ClusterRole role => role.Rules,
            V1Role role => role.Rules,
            _ => throw new InvalidOperationException("not a role"),
        };
        var rule = rules[ruleIndex];
        rule.Verbs = rule.Verbs.Where(v => v != verb).ToList();
        if (rule.Verbs.Count == 0)
        {
            rules.RemoveAt(ruleIndex);
        }

        return new RbacRuleRemovals(copy);
    }
}

/// <summary>One verb of one rule taken away.</summary>
public sealed record RbacRemoval(string Rule, string Verb, string Yaml);
