using SidePool.Kubernetes.Models;

namespace SidePool.Injection;

/// <summary><c>metav1.LabelSelector</c> semantics (matchLabels AND every matchExpression).</summary>
public static class PodSelector
{
    /// <summary>
    /// True when <paramref name="labels"/> satisfy <paramref name="selector"/>. A null or empty selector matches
    /// nothing here (pools refuse empty selectors: they would select every pod of the namespace).
    /// </summary>
    public static bool Matches(LabelSelector? selector, IReadOnlyDictionary<string, string>? labels)
    {
        if (selector is null || ((selector.MatchLabels?.Count ?? 0) == 0 && (selector.MatchExpressions?.Count ?? 0) == 0))
        {
            return false;
        }

        labels ??= new Dictionary<string, string>();
        foreach (var (key, value) in selector.MatchLabels ?? new Dictionary<string, string>())
        {
            if (!labels.TryGetValue(key, out var actual) || actual != value)
            {
                return false;
            }
        }

        foreach (var requirement in selector.MatchExpressions ?? [])
        {
            var has = labels.TryGetValue(requirement.Key, out var actual);
            var values = requirement.Values ?? [];
            var ok = requirement.Operator switch
            {
                "In" => has && values.Contains(actual!, StringComparer.Ordinal),
                "NotIn" => !has || !values.Contains(actual!, StringComparer.Ordinal),
                "Exists" => has,
                "DoesNotExist" => !has,
                _ => false,
            };
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }
}
