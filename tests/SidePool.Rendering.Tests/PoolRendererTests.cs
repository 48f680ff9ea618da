using System.Text.Json;
using SidePool.Api;
using Xunit;

namespace SidePool.Rendering.Tests;

public sealed class PoolRendererTests
{
    private static RenderedPool Render(SidePool.Api.ConnectionPool pool, PoolCredentials? credentials = null, PoolSecrets? secrets = null, RenderLayout? layout = null) =>
        PoolRenderer.Render(pool, credentials ?? Pools.Credentials, secrets ?? Pools.Secrets, layout);

    private static Dictionary<string, string> Settings(RenderedPool rendered, string section = "pgbouncer")
    {
        var result = new Dictionary<string, string>();
        var current = "";
        foreach (var line in rendered.Files[RenderedPool.IniFile].Split('\n'))
        {
            if (line.StartsWith('['))
            {
                current = line.Trim('[', ']');
            }
            else if (current == section && line.Contains(" = ", StringComparison.Ordinal))
            {
                var i = line.IndexOf(" = ", StringComparison.Ordinal);
                Assert.True(result.TryAdd(line[..i], line[(i + 3)..]), $"duplicate key {line}");
            }
        }

        return result;
    }

    [Fact]
    public void DefaultsMapToPgBouncerSettings()
    {
        var settings = Settings(Render(Pools.Pool()));
        Assert.Equal("transaction", settings["pool_mode"]);
        Assert.Equal("10", settings["default_pool_size"]);
        Assert.Equal("0", settings["min_pool_size"]);
        Assert.Equal("0", settings["reserve_pool_size"]);
        Assert.Equal("100", settings["max_client_conn"]);
        Assert.Equal("30", settings["query_wait_timeout"]);
        Assert.Equal("600", settings["server_idle_timeout"]);
        Assert.Equal("3600", settings["server_lifetime"]);
        Assert.Equal("select 1", settings["server_check_query"]);
        Assert.Equal("30", settings["server_check_delay"]);
        Assert.Equal("", settings["server_reset_query"]);
        Assert.Equal("extra_float_digits,options", settings["ignore_startup_parameters"]);
        Assert.Equal("127.0.0.1", settings["listen_addr"]);
        Assert.Equal("6432", settings["listen_port"]);
        Assert.Equal("/var/run/sidepool", settings["unix_socket_dir"]);
        Assert.Equal("hba", settings["auth_type"]);
        Assert.Equal("/etc/sidepool/pool/userlist.txt", settings["auth_file"]);
        Assert.Equal("/etc/sidepool/pool/pg_hba.conf", settings["auth_hba_file"]);
        Assert.Equal(Naming.AdminUser, settings["admin_users"]);
        Assert.Equal("disable", settings["server_tls_sslmode"]);
        Assert.False(settings.ContainsKey("logfile"));
        Assert.False(settings.ContainsKey("pidfile"));
    }

    [Fact]
    public void SessionModeResetsServerConnections()
    {
        var settings = Settings(Render(Pools.Pool().With(s => s with { Pool = s.Pool with { Mode = "session" } })));
        Assert.Equal("DISCARD ALL", settings["server_reset_query"]);
    }

    [Fact]
    public void DatabasesRouteReadWriteAndReadOnly()
    {
        var rendered = Render(Pools.Pool().With(s => s with { Backend = s.Backend! with { Host = "orders-pg-rw.db.svc", ReadOnlyHost = "orders-pg-ro.db.svc", Port = 6543 } }));
        var databases = Settings(rendered, "databases");
        Assert.Equal("host=orders-pg-rw.db.svc port=6543 dbname=orders user=app", databases["orders"]);
        Assert.Equal("host=orders-pg-ro.db.svc port=6543 dbname=orders user=app", databases["orders_ro"]);
    }

    [Fact]
    public void ParametersAreNormalizedAndAppended()
    {
        var settings = Settings(Render(Pools.Pool().With(s => s with
        {
            Pool = s.Pool with { Parameters = new Dictionary<string, string> { ["query_timeout"] = "1m30s", ["log_pooler_errors"] = "yes", ["server_reset_query"] = "DISCARD ALL" } },
        })));
        Assert.Equal("90", settings["query_timeout"]);
        Assert.Equal("1", settings["log_pooler_errors"]);
        Assert.Equal("DISCARD ALL", settings["server_reset_query"]);
    }

    [Fact]
    public void UserListQuotesAndHoldsAdminAndAppUsers()
    {
        var rendered = Render(Pools.Pool());
        var lines = rendered.Files[RenderedPool.UserListFile].Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Equal($"\"{Naming.AdminUser}\" \"{Pools.Secrets.AdminPassword}\"", lines[0]);
        Assert.Equal("\"app\" \"s3cret\"\"pw\"", lines[1]);
    }

    [Fact]
    public void HbaKeepsTheAdminConsoleOnTheSocket()
    {
        var trust = Render(Pools.Pool()).Files[RenderedPool.HbaFile];
        Assert.Contains($"local pgbouncer {Naming.AdminUser} scram-sha-256", trust, StringComparison.Ordinal);
        Assert.Contains("host pgbouncer all 0.0.0.0/0 reject", trust, StringComparison.Ordinal);
        Assert.Contains("host all all 127.0.0.1/32 trust", trust, StringComparison.Ordinal);
        var scram = Render(Pools.Pool().With(s => s with { Sidecar = s.Sidecar with { ClientAuth = "scram" } })).Files[RenderedPool.HbaFile];
        Assert.Contains("host all all 127.0.0.1/32 scram-sha-256", scram, StringComparison.Ordinal);
        Assert.DoesNotContain(" trust", scram, StringComparison.Ordinal);
    }

    [Fact]
    public void AgentFileDescribesTheRendering()
    {
        var rendered = Render(Pools.Pool());
        using var json = JsonDocument.Parse(rendered.Files[RenderedPool.AgentFile]);
        var root = json.RootElement;
        Assert.Equal("orders-db", root.GetProperty("poolName").GetString());
        Assert.Equal(rendered.Version, root.GetProperty("version").GetString());
        Assert.Equal(rendered.ConfigRevision, root.GetProperty("configRevision").GetString());
        Assert.Equal(6432, root.GetProperty("listenPort").GetInt32());
        Assert.Equal(Naming.AdminUser, root.GetProperty("adminUser").GetString());
        Assert.Equal("orders", root.GetProperty("probe").GetProperty("database").GetString());
        Assert.Equal("app", root.GetProperty("probe").GetProperty("user").GetString());
        Assert.Equal("6432", root.GetProperty("restartSettings").GetProperty("listen_port").GetString());
        Assert.DoesNotContain("s3cret", rendered.Files[RenderedPool.AgentFile], StringComparison.Ordinal);
    }

    [Fact]
    public void HashesAreFullSha256AndStableAcrossRunsAndMachines()
    {
        var a = Render(Pools.Pool());
        var b = Render(Pools.Pool());
        Assert.Matches("^[0-9a-f]{64}$", a.Version);
        Assert.Matches("^[0-9a-f]{64}$", a.ConfigRevision);
        Assert.Equal(a.Version, b.Version);
        Assert.Equal(a.ConfigRevision, b.ConfigRevision);
        Assert.Equal(a.Version[..10], a.ShortVersion);

        // Pinned: a change here changes every running pool's version (and rolls every pod): do it on purpose only.
        Assert.Equal("41973c021a", a.ShortVersion);
    }

    public static TheoryData<string, Func<ConnectionPoolSpec, ConnectionPoolSpec>> VersionChanges => new()
    {
        { "port", s => s with { Sidecar = s.Sidecar with { Port = 7432 } } },
        { "image", s => s with { Sidecar = s.Sidecar with { Image = "example.com/pgbouncer:1.24" } } },
        { "clientAuth", s => s with { Sidecar = s.Sidecar with { ClientAuth = "scram" } } },
        { "unixSocket", s => s with { Sidecar = s.Sidecar with { UnixSocket = false } } },
        { "resources", s => s with { Sidecar = s.Sidecar with { Resources = new ResourceRequirements { Limits = new Dictionary<string, string> { ["memory"] = "64Mi" } } } } },
        { "pkt_buf", s => s with { Pool = s.Pool with { Parameters = new Dictionary<string, string> { ["pkt_buf"] = "8192" } } } },
        { "drainTimeout", s => s with { Rollout = s.Rollout with { DrainTimeout = "10m" } } },
        { "env", s => s with { Injection = s.Injection with { Env = s.Injection.Env with { Url = "PG_URL" } } } },
    };

    [Theory]
    [MemberData(nameof(VersionChanges))]
    public void PodLevelChangesChangeTheVersionAndRevision(string what, Func<ConnectionPoolSpec, ConnectionPoolSpec> change)
    {
        var before = Render(Pools.Pool());
        var after = Render(Pools.Pool().With(change));
        Assert.True(before.Version != after.Version, what);
        Assert.NotEqual(before.ConfigRevision, after.ConfigRevision);
    }

    public static TheoryData<string, Func<ConnectionPoolSpec, ConnectionPoolSpec>> RevisionChanges => new()
    {
        { "size", s => s with { Pool = s.Pool with { Size = 20 } } },
        { "mode", s => s with { Pool = s.Pool with { Mode = "session" } } },
        { "timeout", s => s with { Pool = s.Pool with { AcquisitionTimeout = "2m" } } },
        { "health check", s => s with { Pool = s.Pool with { HealthCheck = new HealthCheck { Query = "select 2" } } } },
        { "reloadable parameter", s => s with { Pool = s.Pool with { Parameters = new Dictionary<string, string> { ["query_timeout"] = "5" } } } },
        { "read-only host", s => s with { Backend = s.Backend! with { ReadOnlyHost = "ro.example" } } },
        { "tls mode", s => s with { Backend = s.Backend! with { Tls = new BackendTls { Mode = "require" } } } },
    };

    [Theory]
    [MemberData(nameof(RevisionChanges))]
    public void ReloadableChangesKeepTheVersionAndChangeTheRevision(string what, Func<ConnectionPoolSpec, ConnectionPoolSpec> change)
    {
        var before = Render(Pools.Pool());
        var after = Render(Pools.Pool().With(change));
        Assert.True(before.Version == after.Version, what);
        Assert.NotEqual(before.ConfigRevision, after.ConfigRevision);
    }

    [Fact]
    public void EquivalentDurationsRenderTheSame()
    {
        var a = Render(Pools.Pool().With(s => s with { Rollout = s.Rollout with { DrainTimeout = "5m" }, Pool = s.Pool with { IdleTimeout = "600s" } }));
        var b = Render(Pools.Pool().With(s => s with { Rollout = s.Rollout with { DrainTimeout = "300s" }, Pool = s.Pool with { IdleTimeout = "10m" } }));
        Assert.Equal(a.Version, b.Version);
        Assert.Equal(a.ConfigRevision, b.ConfigRevision);
    }

    [Fact]
    public void PasswordRotationChangesOnlyTheRevision()
    {
        var before = Render(Pools.Pool());
        var after = Render(Pools.Pool(), Pools.Credentials with { Password = "rotated" });
        Assert.Equal(before.Version, after.Version);
        Assert.NotEqual(before.ConfigRevision, after.ConfigRevision);
    }

    [Fact]
    public void CredentialsEnterTheRevisionOnlyThroughTheKeyedHmac()
    {
        var key1 = Render(Pools.Pool());
        var key2 = Render(Pools.Pool(), secrets: PoolSecrets.Generate());
        Assert.Equal(key1.Version, key2.Version);
        Assert.NotEqual(key1.ConfigRevision, key2.ConfigRevision);

        // Without the key, the revision cannot be recomputed from a guessed password: the same files with a
        // different key give a different revision (checked above), and no bare password hash is an input.
        var masked = Pools.Secrets.Mask(Pools.Credentials.Password);
        Assert.Matches("^[0-9a-f]{64}$", masked);
        Assert.NotEqual(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Pools.Credentials.Password))), masked);
    }

    [Fact]
    public void LayoutMovesEveryPath()
    {
        var rendered = Render(Pools.Pool(), layout: new RenderLayout { ConfigDirectory = "/tmp/x", SocketDirectory = "/tmp/y" });
        var settings = Settings(rendered);
        Assert.Equal("/tmp/x/userlist.txt", settings["auth_file"]);
        Assert.Equal("/tmp/x/pg_hba.conf", settings["auth_hba_file"]);
        Assert.Equal("/tmp/y", settings["unix_socket_dir"]);
    }

    [Fact]
    public void CaCertificateBecomesAFile()
    {
        const string pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
        var rendered = Render(
            Pools.Pool().With(s => s with { Backend = s.Backend! with { Tls = new BackendTls { Mode = "verify-ca", CaSecret = new SecretKeyRef { Name = "pg-ca" } } } }),
            Pools.Credentials with { CaCertificate = pem });
        Assert.Equal(pem, rendered.Files[RenderedPool.CaFile]);
        Assert.Equal("/etc/sidepool/pool/server-ca.crt", Settings(rendered)["server_tls_ca_file"]);
        Assert.Equal("verify-ca", Settings(rendered)["server_tls_sslmode"]);
    }

    [Theory]
    [InlineData("bad user", "data.username")]
    [InlineData("sidepool-agent", "data.username")]
    public void BadCredentialsNameTheSecretKeyNotTheValue(string user, string field)
    {
        var e = Assert.Throws<InvalidManifestException>(() => Render(Pools.Pool(), new PoolCredentials(user, "pw\nsecret")));
        Assert.Contains(e.Errors, err => err.Field == field);
        Assert.Contains(e.Errors, err => err.Field == "data.password");
        Assert.DoesNotContain("secret", e.Message.Replace("Secret orders-db-app", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public void ToStringNeverShowsSecrets()
    {
        var rendered = Render(Pools.Pool());
        Assert.DoesNotContain("s3cret", rendered.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", Pools.Credentials.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Pools.Secrets.AdminPassword, Pools.Secrets.ToString(), StringComparison.Ordinal);
    }
}
