using System.Collections;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using SidePool.Contract;

namespace SidePool.Api;

/// <summary>
/// Validates a <see cref="ConnectionPool"/>. Field rules come from the same attributes the CRD is generated
/// from (<c>[Required]</c>, <c>[Range]</c>, <c>[RegularExpression]</c>, <c>[AllowedValues]</c>,
/// <c>[Duration]</c>…), and rules that relate fields from <see cref="CrossFieldRules"/>, which the CRD publishes as CEL:
/// the cluster and the CLI agree.
/// Every string is checked for control characters, which would let a value change how PgBouncer parses a line.
/// </summary>
public static partial class ConnectionPoolValidator
{
    public static IReadOnlyList<FieldError> Validate(ConnectionPool pool)
    {
        var errors = new List<FieldError>();
        if (pool.ApiVersion != Naming.ApiVersion)
        {
            errors.Add(new("apiVersion", $"must be {Naming.ApiVersion}"));
        }

        if (pool.Kind != Naming.Kind)
        {
            errors.Add(new("kind", $"must be {Naming.Kind}"));
        }

        if (string.IsNullOrEmpty(pool.Metadata.Name))
        {
            errors.Add(new("metadata.name", "Required value"));
        }
        else if (pool.Metadata.Name.Length > 63 || !DnsLabel().IsMatch(pool.Metadata.Name))
        {
            // the name goes into Secret names with a 10-character version suffix and into label values
            errors.Add(new("metadata.name", "must be a DNS label: lower-case letters, digits and '-', at most 63 characters"));
        }

        if (pool.Spec is null)
        {
            errors.Add(new("spec", "Required value"));
        }
        else
        {
            errors.AddRange(ValidateSpec(pool.Spec));
        }

        return errors;
    }

    public static IReadOnlyList<FieldError> ValidateSpec(ConnectionPoolSpec spec, string path = "spec")
    {
        var errors = new List<FieldError>();
        WalkObject(spec, path, errors);
        CheckCrossFieldRules(spec, path, errors);
        return errors;
    }

    private static void CheckCrossFieldRules(ConnectionPoolSpec spec, string path, List<FieldError> errors)
    {
        if (spec.Pool is { } pool)
        {
            foreach (var (key, value) in pool.Parameters ?? new Dictionary<string, string>())
            {
                var field = $"{path}.pool.parameters.{key}";
                if (!PgBouncerParameters.Allowed.TryGetValue(key, out var rule))
                {
                    errors.Add(new(field, "is not an allowed PgBouncer setting (see docs/configuration.md for the allow-list)"));
                }
                else if (value is not null && !HasControlCharacters(value) && rule.Check(value).Error is { } error)
                {
                    errors.Add(new(field, error));
                }
            }
        }

        // the rules that relate fields, as the CRD publishes them (CrossFieldRules)
        Check(spec, path);
        Check(spec.Backend, $"{path}.backend");
        Check(spec.Pool, $"{path}.pool");

        void Check(object? value, string at)
        {
            if (value is null)
            {
                return;
            }

            foreach (var rule in Api.CrossFieldRules.All.Where(r => r.Target == value.GetType()))
            {
                if (rule.Check(value, at) is { } error)
                {
                    errors.Add(error);
                }
            }
        }
    }

    private static void WalkObject(object value, string path, List<FieldError> errors)
    {
        if (value is LabelSelector selector)
        {
            ValidateSelector(selector, path, errors);
            return;
        }

        foreach (var property in value.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var field = $"{path}.{JsonNamingPolicy.CamelCase.ConvertName(property.Name)}";
            var propertyValue = property.GetValue(value);
            if (propertyValue is null)
            {
                if (property.GetCustomAttribute<RequiredAttribute>() is not null)
                {
                    errors.Add(new(field, "Required value"));
                }
                else if (!IsNullable(property))
                {
                    errors.Add(new(field, "must not be null"));
                }

                continue;
            }

            WalkValue(property, propertyValue, field, errors);
        }
    }

    private static void WalkValue(PropertyInfo property, object value, string field, List<FieldError> errors)
    {
        switch (value)
        {
            case string text:
                CheckString(property, text, field, errors);
                break;
            case int number:
                if (property.GetCustomAttribute<RangeAttribute>() is { } range && (number < (int)range.Minimum || number > (int)range.Maximum))
                {
                    errors.Add(new(field, $"must be between {range.Minimum} and {range.Maximum}"));
                }

                break;
            case bool:
                break;
            case IReadOnlyDictionary<string, string> map:
                foreach (var (key, item) in map)
                {
                    if (HasControlCharacters(key))
                    {
                        errors.Add(new(field, "keys must not contain control characters"));
                    }
                    else if (item is null)
                    {
                        errors.Add(new($"{field}.{key}", "must not be null"));
                    }
                    else if (HasControlCharacters(item))
                    {
                        errors.Add(new($"{field}.{key}", ControlCharacterMessage));
                    }
                    else if (property.GetCustomAttribute<QuantityMapAttribute>() is not null && !Quantity().IsMatch(item))
                    {
                        errors.Add(new($"{field}.{key}", "must be a Kubernetes quantity such as 100m or 64Mi"));
                    }
                }

                break;
            case IEnumerable list:
                var index = 0;
                foreach (var item in list)
                {
                    var itemField = $"{field}[{index++.ToString(CultureInfo.InvariantCulture)}]";
                    if (item is null)
                    {
                        errors.Add(new(itemField, "must not be null"));
                    }
                    else if (item is string s)
                    {
                        if (HasControlCharacters(s) || !ContainerName().IsMatch(s))
                        {
                            errors.Add(new(itemField, "must be a container name (DNS label)"));
                        }
                    }
                    else
                    {
                        WalkObject(item, itemField, errors);
                    }
                }

                break;
            default:
                WalkObject(value, field, errors);
                break;
        }
    }

    private static void CheckString(PropertyInfo property, string text, string field, List<FieldError> errors)
    {
        if (HasControlCharacters(text))
        {
            errors.Add(new(field, ControlCharacterMessage));
            return;
        }

        if (property.GetCustomAttribute<MinLengthAttribute>() is { } min && text.Length < min.Length)
        {
            errors.Add(new(field, min.Length == 1 ? "must not be empty" : $"must be at least {min.Length} characters"));
            return;
        }

        if (property.GetCustomAttribute<MaxLengthAttribute>() is { } max && text.Length > max.Length)
        {
            errors.Add(new(field, $"must be at most {max.Length} characters"));
            return;
        }

        if (property.GetCustomAttribute<AllowedValuesAttribute>() is { } allowed && !allowed.Values.Contains(text))
        {
            errors.Add(new(field, $"unsupported value \"{text}\": must be one of {string.Join(", ", allowed.Values)}"));
            return;
        }

        if (property.GetCustomAttribute<DurationAttribute>() is not null && !Duration.TryParse(text, out _))
        {
            errors.Add(new(field, $"\"{text}\" is not a duration: use a number with a unit, such as 30s, 5m, 1h or 1h30m"));
            return;
        }

        if (property.GetCustomAttribute<RegularExpressionAttribute>() is { } pattern && !Regex.IsMatch(text, pattern.Pattern, RegexOptions.CultureInvariant))
        {
            errors.Add(new(field, $"\"{text}\" is not valid: {Describe(pattern.Pattern)}"));
        }
    }

    private static void ValidateSelector(LabelSelector selector, string path, List<FieldError> errors)
    {
        var labels = selector.MatchLabels ?? new Dictionary<string, string>();
        var expressions = selector.MatchExpressions ?? [];
        foreach (var (key, value) in labels)
        {
            if (!LabelKey().IsMatch(key))
            {
                errors.Add(new($"{path}.matchLabels", $"\"{Printable(key)}\" is not a valid label key"));
            }
            else if (value is null || !LabelValue().IsMatch(value))
            {
                errors.Add(new($"{path}.matchLabels.{key}", "must be a valid label value (at most 63 characters: letters, digits, '-', '_', '.')"));
            }
        }

        for (var i = 0; i < expressions.Count; i++)
        {
            var field = $"{path}.matchExpressions[{i.ToString(CultureInfo.InvariantCulture)}]";
            var expression = expressions[i];
            if (expression.Key is null || !LabelKey().IsMatch(expression.Key))
            {
                errors.Add(new($"{field}.key", "must be a valid label key"));
            }

            var values = expression.Values ?? [];
            switch (expression.OperatorProperty)
            {
                case "In" or "NotIn":
                    if (values.Count == 0)
                    {
                        errors.Add(new($"{field}.values", "must be non-empty when operator is In or NotIn"));
                    }

                    break;
                case "Exists" or "DoesNotExist":
                    if (values.Count != 0)
                    {
                        errors.Add(new($"{field}.values", "must be empty when operator is Exists or DoesNotExist"));
                    }

                    break;
                default:
                    errors.Add(new($"{field}.operator", "must be one of In, NotIn, Exists, DoesNotExist"));
                    break;
            }

            foreach (var v in values)
            {
                if (v is null || !LabelValue().IsMatch(v))
                {
                    errors.Add(new($"{field}.values", "each value must be a valid label value"));
                    break;
                }
            }
        }
    }

    private const string ControlCharacterMessage = "must not contain control characters (newline, carriage return, tab, NUL...)";

    private static bool HasControlCharacters(string text)
    {
        foreach (var c in text)
        {
            if (c < 0x20 || c == 0x7f)
            {
                return true;
            }
        }

        return false;
    }

    private static string Printable(string text) => HasControlCharacters(text) ? "(a key with control characters)" : text;

    private static string Describe(string pattern) => pattern switch
    {
        Naming.HostPattern => "must be a host name (RFC 1123) or an IP address",
        Naming.DatabasePattern => "must be a database name of letters, digits, '_', '.' or '-' (PgBouncer cannot read other characters in [databases] keys)",
        Naming.SecretNamePattern => "must be a Kubernetes object name (lower-case letters, digits, '-' and '.')",
        Naming.SecretKeyPattern => "must be a Secret key (letters, digits, '-', '_' and '.')",
        Naming.ImagePattern => "must be a container image reference",
        Naming.EnvNamePattern => "must be an environment variable name (letters, digits and '_', not starting with a digit)",
        _ => $"must match {pattern}",
    };

    private static readonly NullabilityInfoContext Nullability = new();

    private static bool IsNullable(PropertyInfo property)
    {
        lock (Nullability)
        {
            return Nullability.Create(property).ReadState != NullabilityState.NotNull;
        }
    }

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex DnsLabel();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex ContainerName();

    [GeneratedRegex(@"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$")]
    private static partial Regex LabelKey();

    [GeneratedRegex(@"^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$")]
    private static partial Regex LabelValue();

    [GeneratedRegex(@"^[0-9]+(\.[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$")]
    private static partial Regex Quantity();
}
