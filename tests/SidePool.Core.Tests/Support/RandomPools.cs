using System.Globalization;
using SidePool.Api;

namespace SidePool.Core.Tests;

/// <summary>Random valid pools (for the property tests), drawn from a seeded generator so a failure is reproducible.</summary>
internal sealed class RandomPools(int seed)
{
    private static readonly string[] Modes = ["session", "transaction", "statement"];
    private static readonly string[] TlsModes = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"];
    private static readonly string[] Hosts = ["127.0.0.1", "localhost", "db.example.internal", "orders-pg-rw.db.svc", "10.0.0.12", "::1", "fd00::12"];
    private static readonly string[] Databases = ["orders", "app_db", "Orders-2", "x", "a.b-c"];
    private static readonly string[] Queries = ["select 1", "SELECT 1; -- keep;alive #1", "select 'a=b'", "/* ping */ select true"];

    private readonly Random _random = new(seed);

    public int Seed { get; } = seed;

    public (ConnectionPool Pool, PoolCredentials Credentials) Next(string caPem)
    {
        var size = _random.Next(1, 200);
        var tls = Pick(TlsModes);
        var parameters = new Dictionary<string, string>();
        foreach (var rule in PgBouncerParameters.Allowed.Values.Where(r => r.MinimumPgBouncer == "1.18"))
        {
            if (_random.NextDouble() < 0.15)
            {
                parameters[rule.Name] = RandomValue(rule);
            }
        }

        var spec = new ConnectionPoolSpec
        {
            Selector = new LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = $"a{_random.Next(1000)}" } },
            Backend = new BackendSpec
            {
                Host = Pick(Hosts),
                Port = _random.Next(1, 65536),
                Database = Pick(Databases),
                ReadOnlyHost = _random.NextDouble() < 0.5 ? Pick(Hosts) : null,
                CredentialsSecret = new CredentialsSecretRef { Name = "creds" },
                Tls = new BackendTls { Mode = tls, CaSecret = tls.StartsWith("verify", StringComparison.Ordinal) || _random.NextDouble() < 0.2 ? new SecretKeyRef { Name = "ca" } : null },
                MaxConnections = _random.NextDouble() < 0.5 ? _random.Next(1, 10_000) : null,
            },
            Pool = new PoolSettings
            {
                Mode = Pick(Modes),
                Size = size,
                MinSize = _random.Next(0, size + 1),
                ReserveSize = _random.Next(0, 50),
                MaxClientConnections = _random.Next(1, 2_000),
                AcquisitionTimeout = RandomDuration(),
                IdleTimeout = RandomDuration(),
                MaxLifetime = RandomDuration(),
                HealthCheck = new HealthCheck { Query = Pick(Queries), Interval = RandomDuration() },
                Parameters = parameters,
            },
            Sidecar = new SidecarSpec
            {
                Port = _random.Next(1024, 65536),
                UnixSocket = _random.NextDouble() < 0.5,
                ClientAuth = _random.NextDouble() < 0.5 ? "trust" : "scram",
            },
            Rollout = new RolloutSpec { DrainTimeout = RandomDuration(), Strategy = _random.NextDouble() < 0.5 ? "Workload" : "None" },
        };
        // Printable ASCII, quotes, spaces, ';' and '#' included; a backslash directly before a quote is refused by design.
        var password = new string(Enumerable.Range(0, _random.Next(1, 40)).Select(_ => (char)_random.Next(0x20, 0x7f)).ToArray()).Replace("\\'", "\\ '", StringComparison.Ordinal);
        var user = Pick(["app", "u_1", "svc.orders", "x@y", "A$b-c"]);
        var pool = new ConnectionPool { Metadata = new ObjectMeta { Name = $"pool-{_random.Next(100_000)}" }, Spec = spec };
        return (pool, new PoolCredentials(user, password, spec.Backend.Tls.CaSecret is null ? null : caPem));
    }

    private string RandomValue(ParameterRule rule) => rule.Kind switch
    {
        ParameterKind.Boolean => Pick(["0", "1", "yes", "no", "true", "off"]),
        ParameterKind.Integer => ((long)(rule.Min + (_random.NextDouble() * Math.Min(rule.Max - rule.Min, 100_000)))).ToString(CultureInfo.InvariantCulture),
        ParameterKind.Seconds => _random.NextDouble() < 0.5 ? RandomDuration() : _random.Next(0, 3600).ToString(CultureInfo.InvariantCulture),
        ParameterKind.Choice => Pick(rule.Values!.ToArray()),
        _ => rule.Name == "server_tls_ciphers" ? Pick(["fast", "normal", "secure", "HIGH:!aNULL"]) : Pick(Queries),
    };

    private string RandomDuration() => _random.Next(6) switch
    {
        0 => "0",
        1 => $"{_random.Next(1, 1000)}ms",
        2 => $"{_random.Next(1, 600)}s",
        3 => $"{_random.Next(1, 120)}m",
        4 => $"{_random.Next(1, 24)}h{_random.Next(1, 60)}m",
        _ => $"{_random.Next(0, 100)}.{_random.Next(1, 10)}s",
    };

    private T Pick<T>(T[] items) => items[_random.Next(items.Length)];
}
