namespace SidePool.Api;

/// <summary>The string is a <see cref="Duration"/> (<c>30s</c>, <c>5m</c>, <c>1h30m</c>).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class DurationAttribute : Attribute;

/// <summary>
/// A cross-field rule, published in the CRD as <c>x-kubernetes-validations</c> (CEL) and enforced in
/// <see cref="ConnectionPoolValidator"/> by code with the same meaning.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Property, AllowMultiple = true)]
public sealed class CelRuleAttribute(string rule, string message) : Attribute
{
    public string Rule { get; } = rule;

    public string Message { get; } = message;
}

/// <summary>A free-form map of strings (<c>additionalProperties: {type: string}</c>).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class StringMapAttribute : Attribute;

/// <summary>Kubernetes quantity strings (<c>100m</c>, <c>64Mi</c>): <c>x-kubernetes-int-or-string</c>.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class QuantityMapAttribute : Attribute;
