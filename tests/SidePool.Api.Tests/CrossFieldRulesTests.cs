using SidePool.Api;
using Xunit;

namespace SidePool.Api.Tests;

/// <summary>Each cross-field rule's C# check holds on a valid spec, fails on its counterexample and names its field.</summary>
public sealed class CrossFieldRulesTests
{
    private static ConnectionPoolSpec Valid() => new()
    {
        Selector = new LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "web" } },
        Backend = new BackendSpec { Host = "db", Database = "app", CredentialsSecret = new CredentialsSecretRef { Name = "creds" } },
    };

    public static TheoryData<string, ConnectionPoolSpec> Counterexamples() => new()
    {
        { "spec.selector", Valid() with { Selector = new LabelSelector() } },
        { "spec.backend.tls.caSecret", Valid() with { Backend = Valid().Backend! with { Tls = new BackendTls { Mode = "verify-full" } } } },
        { "spec.backend.database", Valid() with { Backend = Valid().Backend! with { Database = "pgbouncer" } } },
        { "spec.backend.database", Valid() with { Backend = Valid().Backend! with { Database = new string('d', 61), ReadOnlyHost = "replica" } } },
        { "spec.pool.minSize", Valid() with { Pool = new PoolSettings { Size = 2, MinSize = 3 } } },
    };

    [Fact]
    public void A_valid_spec_breaks_no_rule()
    {
        Assert.Empty(ConnectionPoolValidator.ValidateSpec(Valid()));
    }

    [Theory]
    [MemberData(nameof(Counterexamples))]
    public void Each_counterexample_fails_with_its_field(string field, ConnectionPoolSpec spec)
    {
        Assert.Contains(ConnectionPoolValidator.ValidateSpec(spec), e => e.Field == field);
    }

    [Fact]
    public void Every_rule_has_a_counterexample()
    {
        var fields = Counterexamples().Select(row => (string)row[0]).ToHashSet(StringComparer.Ordinal);

        Assert.All(CrossFieldRules.All, rule => Assert.Contains(fields, f => f.EndsWith("." + rule.Field, StringComparison.Ordinal)));
    }
}
