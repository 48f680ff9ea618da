using System.Globalization;

namespace SidePool.Api;

/// <summary>
/// The rules that relate fields, each written once with both its forms: the CEL the CRD publishes as
/// <c>x-kubernetes-validations</c> (so the API server refuses the object) and the check
/// <see cref="ConnectionPoolValidator"/> runs (so the CLI and the operator say the same, naming the field). Single-field
/// rules need no entry here: both the CRD schema and the validator read them from the model's attributes.
/// </summary>
public static class CrossFieldRules
{
    public static IReadOnlyList<CrossFieldRule> All { get; } =
    [
        new CrossFieldRule<ConnectionPoolSpec>(
            nameof(ConnectionPoolSpec.Selector),
            "(has(self.matchLabels) && size(self.matchLabels) > 0) || (has(self.matchExpressions) && size(self.matchExpressions) > 0)",
            "selector must not be empty: an empty selector would select every pod in the namespace",
            "selector",
            s => s.Selector is null || (s.Selector.MatchLabels?.Count ?? 0) > 0 || (s.Selector.MatchExpressions?.Count ?? 0) > 0,
            _ => "must not be empty: an empty selector would select every pod in the namespace"),
        new CrossFieldRule<BackendSpec>(
            null,
            "!has(self.tls) || !(self.tls.mode in ['verify-ca', 'verify-full']) || has(self.tls.caSecret)",
            "tls.caSecret is required when tls.mode is verify-ca or verify-full",
            "tls.caSecret",
            b => b.Tls is not { Mode: "verify-ca" or "verify-full", CaSecret: null },
            _ => "Required value when tls.mode is verify-ca or verify-full"),
        new CrossFieldRule<BackendSpec>(
            null,
            "!has(self.database) || self.database != 'pgbouncer'",
            "database \"pgbouncer\" is reserved for PgBouncer's admin console",
            "database",
            b => b.Database != "pgbouncer",
            _ => "\"pgbouncer\" is reserved for PgBouncer's admin console"),
        new CrossFieldRule<BackendSpec>(
            null,
            "!has(self.readOnlyHost) || !has(self.database) || size(self.database) <= 60",
            "database must be at most 60 characters when readOnlyHost is set (the read-only database is <database>_ro)",
            "database",
            b => b is not { Database: { } database, ReadOnlyHost: not null } || database.Length <= 60,
            _ => "must be at most 60 characters when readOnlyHost is set (the read-only database is <database>_ro)"),
        new CrossFieldRule<PoolSettings>(
            null,
            "self.minSize <= self.size",
            "minSize must not exceed size",
            "minSize",
            p => p.MinSize <= p.Size,
            p => $"must not exceed size ({p.Size.ToString(CultureInfo.InvariantCulture)})"),
    ];

    /// <summary>The rules published on <paramref name="type"/> itself (<paramref name="property"/> null) or on one of its properties.</summary>
    public static IEnumerable<CrossFieldRule> On(Type type, string? property) =>
        All.Where(r => r.Target == type && r.Property == property);
}

/// <summary>One cross-field rule (see <see cref="CrossFieldRules"/>).</summary>
/// <param name="Target">The type whose schema carries the rule.</param>
/// <param name="Property">The C# property whose schema carries it, or null for the type's own schema.</param>
/// <param name="Cel">The CEL rule; <c>self</c> is the object (or property) the rule is published on.</param>
/// <param name="Message">What the API server says when it fails.</param>
/// <param name="Field">The field a failure names, relative to <paramref name="Target"/> (camelCase JSON path).</param>
public abstract record CrossFieldRule(Type Target, string? Property, string Cel, string Message, string Field)
{
    /// <summary>The error for <paramref name="value"/> (an instance of <see cref="Target"/> at <paramref name="path"/>), or null when the rule holds.</summary>
    public abstract FieldError? Check(object value, string path);
}

public sealed record CrossFieldRule<T>(string? Property, string Cel, string Message, string Field, Func<T, bool> Holds, Func<T, string> Detail)
    : CrossFieldRule(typeof(T), Property, Cel, Message, Field)
{
    public override FieldError? Check(object value, string path) =>
        value is T typed && !Holds(typed) ? new FieldError($"{path}.{Field}", Detail(typed)) : null;
}
