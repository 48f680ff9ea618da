namespace SidePool.Api;

/// <summary>The string is a <see cref="Duration"/> (<c>30s</c>, <c>5m</c>, <c>1h30m</c>).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class DurationAttribute : Attribute;

/// <summary>A free-form map of strings (<c>additionalProperties: {type: string}</c>).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class StringMapAttribute : Attribute;

/// <summary>Kubernetes quantity strings (<c>100m</c>, <c>64Mi</c>): <c>x-kubernetes-int-or-string</c>.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class QuantityMapAttribute : Attribute;
