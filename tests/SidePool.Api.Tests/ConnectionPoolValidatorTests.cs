using Xunit;

namespace SidePool.Api.Tests;

public sealed class ConnectionPoolValidatorTests
{
    [Fact]
    public void MinimalPoolIsValidAndDefaulted()
    {
        var pool = ValidPools.Minimal();
        Assert.Empty(ConnectionPoolValidator.Validate(pool));
        var spec = pool.Spec!;
        Assert.Equal(5432, spec.Backend!.Port);
        Assert.Equal("transaction", spec.Pool.Mode);
        Assert.Equal(10, spec.Pool.Size);
        Assert.Equal(100, spec.Pool.MaxClientConnections);
        Assert.Equal("30s", spec.Pool.AcquisitionTimeout);
        Assert.Equal(6432, spec.Sidecar.Port);
        Assert.Equal("trust", spec.Sidecar.ClientAuth);
        Assert.Equal("prefer", spec.Backend.Tls.Mode);
        Assert.Equal("Workload", spec.Rollout.Strategy);
        Assert.Equal("5m", spec.Rollout.DrainTimeout);
        Assert.Equal("username", spec.Backend.CredentialsSecret!.UsernameKey);
    }

    public static TheoryData<string, Func<ConnectionPoolSpec, ConnectionPoolSpec>, string> Invalid => new()
    {
        { "empty selector", s => s with { Selector = new LabelSelector() }, "spec.selector" },
        { "missing selector", s => s with { Selector = null }, "spec.selector" },
        { "missing backend", s => s with { Backend = null }, "spec.backend" },
        { "missing host", s => s with { Backend = s.Backend! with { Host = null } }, "spec.backend.host" },
        { "missing database", s => s with { Backend = s.Backend! with { Database = null } }, "spec.backend.database" },
        { "missing credentials", s => s with { Backend = s.Backend! with { CredentialsSecret = null } }, "spec.backend.credentialsSecret" },
        { "missing credentials name", s => s with { Backend = s.Backend! with { CredentialsSecret = new CredentialsSecretRef() } }, "spec.backend.credentialsSecret.name" },
        { "port 0", s => s with { Backend = s.Backend! with { Port = 0 } }, "spec.backend.port" },
        { "port 65536", s => s with { Backend = s.Backend! with { Port = 65536 } }, "spec.backend.port" },
        { "sidecar port 0", s => s with { Sidecar = s.Sidecar with { Port = 0 } }, "spec.sidecar.port" },
        { "sidecar port 70000", s => s with { Sidecar = s.Sidecar with { Port = 70000 } }, "spec.sidecar.port" },
        { "negative size", s => s with { Pool = s.Pool with { Size = -1 } }, "spec.pool.size" },
        { "negative minSize", s => s with { Pool = s.Pool with { MinSize = -1 } }, "spec.pool.minSize" },
        { "negative reserveSize", s => s with { Pool = s.Pool with { ReserveSize = -3 } }, "spec.pool.reserveSize" },
        { "negative maxClientConnections", s => s with { Pool = s.Pool with { MaxClientConnections = -3 } }, "spec.pool.maxClientConnections" },
        { "minSize > size", s => s with { Pool = s.Pool with { Size = 5, MinSize = 6 } }, "spec.pool.minSize" },
        { "unknown mode", s => s with { Pool = s.Pool with { Mode = "sessions" } }, "spec.pool.mode" },
        { "unknown strategy", s => s with { Rollout = s.Rollout with { Strategy = "Recreate" } }, "spec.rollout.strategy" },
        { "unknown clientAuth", s => s with { Sidecar = s.Sidecar with { ClientAuth = "md5" } }, "spec.sidecar.clientAuth" },
        { "unknown tls mode", s => s with { Backend = s.Backend! with { Tls = new BackendTls { Mode = "required" } } }, "spec.backend.tls.mode" },
        { "verify-full without CA", s => s with { Backend = s.Backend! with { Tls = new BackendTls { Mode = "verify-full" } } }, "spec.backend.tls.caSecret" },
        { "malformed acquisitionTimeout", s => s with { Pool = s.Pool with { AcquisitionTimeout = "30" } }, "spec.pool.acquisitionTimeout" },
        { "malformed idleTimeout", s => s with { Pool = s.Pool with { IdleTimeout = "ten minutes" } }, "spec.pool.idleTimeout" },
        { "malformed maxLifetime", s => s with { Pool = s.Pool with { MaxLifetime = "1d" } }, "spec.pool.maxLifetime" },
        { "malformed drainTimeout", s => s with { Rollout = s.Rollout with { DrainTimeout = "-5m" } }, "spec.rollout.drainTimeout" },
        { "malformed health interval", s => s with { Pool = s.Pool with { HealthCheck = new HealthCheck { Interval = "1x" } } }, "spec.pool.healthCheck.interval" },
        { "parameter outside allow-list", s => s with { Pool = s.Pool with { Parameters = new Dictionary<string, string> { ["listen_addr"] = "0.0.0.0" } } }, "spec.pool.parameters.listen_addr" },
        { "auth_type not allowed", s => s with { Pool = s.Pool with { Parameters = new Dictionary<string, string> { ["auth_type"] = "trust" } } }, "spec.pool.parameters.auth_type" },
        { "parameter with bad value", s => s with { Pool = s.Pool with { Parameters = new Dictionary<string, string> { ["query_timeout"] = "soon" } } }, "spec.pool.parameters.query_timeout" },
        { "parameter out of range", s => s with { Pool = s.Pool with { Parameters = new Dictionary<string, string> { ["tcp_keepcnt"] = "1000" } } }, "spec.pool.parameters.tcp_keepcnt" },
        { "newline in parameter", s => s with { Pool = s.Pool with { Parameters = new Dictionary<string, string> { ["server_reset_query"] = "DISCARD ALL\nauth_type = trust" } } }, "spec.pool.parameters.server_reset_query" },
        { "NUL in parameter", s => s with { Pool = s.Pool with { Parameters = new Dictionary<string, string> { ["server_tls_ciphers"] = "HIGH\0" } } }, "spec.pool.parameters.server_tls_ciphers" },
        { "parameter with surrounding space", s => s with { Pool = s.Pool with { Parameters = new Dictionary<string, string> { ["verbose"] = " 1" } } }, "spec.pool.parameters.verbose" },
        { "newline in health query", s => s with { Pool = s.Pool with { HealthCheck = new HealthCheck { Query = "select 1\n[databases]" } } }, "spec.pool.healthCheck.query" },
        { "empty health query", s => s with { Pool = s.Pool with { HealthCheck = new HealthCheck { Query = "" } } }, "spec.pool.healthCheck.query" },
        { "carriage return in host", s => s with { Backend = s.Backend! with { Host = "db\rx" } }, "spec.backend.host" },
        { "host with space", s => s with { Backend = s.Backend! with { Host = "db host" } }, "spec.backend.host" },
        { "host injecting a setting", s => s with { Backend = s.Backend! with { Host = "db password=x" } }, "spec.backend.host" },
        { "database with space", s => s with { Backend = s.Backend! with { Database = "my db" } }, "spec.backend.database" },
        { "database with equals", s => s with { Backend = s.Backend! with { Database = "a=b" } }, "spec.backend.database" },
        { "database with dollar", s => s with { Backend = s.Backend! with { Database = "a$b" } }, "spec.backend.database" },
        { "reserved database", s => s with { Backend = s.Backend! with { Database = "pgbouncer" } }, "spec.backend.database" },
        { "read-only host with newline", s => s with { Backend = s.Backend! with { ReadOnlyHost = "ro\n" } }, "spec.backend.readOnlyHost" },
        { "bad secret name", s => s with { Backend = s.Backend! with { CredentialsSecret = new CredentialsSecretRef { Name = "Orders_DB" } } }, "spec.backend.credentialsSecret.name" },
        { "bad secret key", s => s with { Backend = s.Backend! with { CredentialsSecret = new CredentialsSecretRef { Name = "x", PasswordKey = "pass word" } } }, "spec.backend.credentialsSecret.passwordKey" },
        { "zero maxConnections", s => s with { Backend = s.Backend! with { MaxConnections = 0 } }, "spec.backend.maxConnections" },
        { "bad env name", s => s with { Injection = s.Injection with { Env = s.Injection.Env with { Url = "1URL" } } }, "spec.injection.env.url" },
        { "bad container name", s => s with { Injection = s.Injection with { Containers = ["App"] } }, "spec.injection.containers[0]" },
        { "bad image", s => s with { Sidecar = s.Sidecar with { Image = "img with space" } }, "spec.sidecar.image" },
        { "bad quantity", s => s with { Sidecar = s.Sidecar with { Resources = new ResourceRequirements { Limits = new Dictionary<string, string> { ["memory"] = "lots" } } } }, "spec.sidecar.resources.limits.memory" },
        { "bad label value", s => s with { Selector = new LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "a b" } } }, "spec.selector.matchLabels.app" },
        { "bad selector operator", s => s with { Selector = new LabelSelector { MatchExpressions = [new LabelSelectorRequirement { Key = "app", OperatorProperty = "Equals", Values = ["x"] }] } }, "spec.selector.matchExpressions[0].operator" },
        { "In without values", s => s with { Selector = new LabelSelector { MatchExpressions = [new LabelSelectorRequirement { Key = "app", OperatorProperty = "In" }] } }, "spec.selector.matchExpressions[0].values" },
        { "null pool", s => s with { Pool = null! }, "spec.pool" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void RejectsNamingTheField(string what, Func<ConnectionPoolSpec, ConnectionPoolSpec> change, string field)
    {
        var errors = ConnectionPoolValidator.Validate(ValidPools.Minimal().With(change));
        Assert.True(errors.Any(e => e.Field == field), $"{what}: expected an error on {field}, got [{string.Join("; ", errors)}]");
        Assert.All(errors, e => Assert.False(string.IsNullOrWhiteSpace(e.Message)));
        Assert.All(errors, e => Assert.DoesNotContain('\n', e.Message));
    }

    [Theory]
    [InlineData("", "metadata.name")]
    [InlineData("Orders", "metadata.name")]
    [InlineData("a-name-that-is-far-too-long-to-be-a-dns-label-because-it-goes-on-and-on", "metadata.name")]
    public void RejectsBadNames(string name, string field)
    {
        var pool = ValidPools.Minimal() with { Metadata = new ObjectMeta { Name = name } };
        Assert.Contains(ConnectionPoolValidator.Validate(pool), e => e.Field == field);
    }

    [Fact]
    public void RejectsWrongApiVersionAndKind()
    {
        var errors = ConnectionPoolValidator.Validate(ValidPools.Minimal() with { ApiVersion = "sidepool.dev/v1", Kind = "Pool" });
        Assert.Contains(errors, e => e.Field == "apiVersion");
        Assert.Contains(errors, e => e.Field == "kind");
    }

    [Fact]
    public void AcceptsEveryAllowedParameterWithAGoodValue()
    {
        var values = new Dictionary<ParameterKind, string> { [ParameterKind.Integer] = "", [ParameterKind.Boolean] = "1", [ParameterKind.Seconds] = "15s", [ParameterKind.Text] = "DISCARD ALL" };
        var parameters = PgBouncerParameters.Allowed.Values.ToDictionary(
            r => r.Name,
            r => r.Kind switch
            {
                ParameterKind.Integer => ((long)r.Min).ToString(System.Globalization.CultureInfo.InvariantCulture),
                ParameterKind.Choice => r.Values![0],
                _ => values[r.Kind],
            });
        var pool = ValidPools.Minimal().With(s => s with { Pool = s.Pool with { Parameters = parameters } });
        Assert.Empty(ConnectionPoolValidator.Validate(pool));
    }

    [Fact]
    public void RandomInvalidSpecsAreEachRejectedNamingTheField()
    {
        var random = new Random(42);
        var cases = Invalid.Select(row => ((string)row[0], (Func<ConnectionPoolSpec, ConnectionPoolSpec>)row[1], (string)row[2])).ToArray();
        var checkedCases = 0;
        for (var i = 0; i < 300; i++)
        {
            // Stack one to three random faults on a valid pool; every one must be reported with its field.
            var picked = Enumerable.Range(0, random.Next(1, 4)).Select(_ => cases[random.Next(cases.Length)]).DistinctBy(c => c.Item3).ToArray();
            if (picked.Select(p => p.Item3.Split('.')[1]).Distinct().Count() != picked.Length)
            {
                continue; // two faults on the same sub-object overwrite each other
            }

            var pool = picked.Aggregate(ValidPools.Minimal(), (p, c) => p.With(c.Item2));
            var errors = ConnectionPoolValidator.Validate(pool);
            foreach (var (what, _, field) in picked)
            {
                Assert.True(errors.Any(e => e.Field == field), $"case {i} ({what}) not reported on {field}: [{string.Join("; ", errors)}]");
            }

            checkedCases++;
        }

        Assert.True(checkedCases >= 200, $"only {checkedCases} random invalid specs checked");
    }
}
