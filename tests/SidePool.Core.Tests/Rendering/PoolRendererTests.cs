using System.Text.Json;
using SidePool.Api;
using SidePool.Contract;
using Xunit;

namespace SidePool.Core.Tests;

public sealed class PoolRendererTests
{
    private const string Version = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    private static RenderedPool Render(SidePool.Api.ConnectionPool pool, PoolCredentials? credentials = null, PoolKey? secrets = null, RenderLayout? layout = null, ClientCredentials? client = null) =>
        PoolRenderer.Finish(PoolRenderer.Render(pool, credentials ?? Pools.Credentials, client ?? Pools.Client, secrets ?? Pools.Secrets, layout), Version, "example/sidecar:1", secrets ?? Pools.Secrets);

    private static Dictionary<string, string> Settings(RenderedPool rendered, string section = "pgbouncer")
    {
        var result = new Dictionary<string, string>();
        var current = "";
        foreach (var line in rendered.Files[VersionContract.Files.Ini].Split('\n'))
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
    public void TheLeakGuardTimeoutsRenderFromTheirFieldsAndAParameterSetBeforeTheFieldsExistedStillWins()
    {
        var fields = Settings(Render(Pools.Pool(s => s with { Pool = s.Pool with { IdleTransactionTimeout = "90s", ClientIdleTimeout = "1h" } })));
        Assert.Equal(("90", "3600"), (fields["idle_transaction_timeout"], fields["client_idle_timeout"]));

        var legacy = Render(Pools.Pool(s => s with { Pool = s.Pool with { IdleTransactionTimeout = "90s", Parameters = new Dictionary<string, string> { ["idle_transaction_timeout"] = "15", ["client_idle_timeout"] = "20s" } } }));
        var settings = Settings(legacy);
        Assert.Equal(("15", "20"), (settings["idle_transaction_timeout"], settings["client_idle_timeout"]));
        Assert.Single(legacy.Files[SidePool.Contract.VersionContract.Files.Ini].Split('\n'), l => l.StartsWith("idle_transaction_timeout", StringComparison.Ordinal));
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
        Assert.Equal("300", settings["idle_transaction_timeout"]);
        Assert.Equal("0", settings["client_idle_timeout"]);
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
        Assert.Equal(VersionContract.AdminUser, settings["admin_users"]);
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
        Assert.Equal("host=orders-pg-rw.db.svc port=6543 dbname=orders user=app password='s3cret\"pw'", databases["orders"]);
        Assert.Equal("host=orders-pg-ro.db.svc port=6543 dbname=orders user=app password='s3cret\"pw'", databases["orders_ro"]);
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
    public void UserListHoldsTheAdminAndTheClientCredentialsNeverTheBackendPassword()
    {
        var rendered = Render(Pools.Pool(), client: new ClientCredentials("app\"x", Pools.Client.Password));
        var lines = rendered.Files[VersionContract.Files.UserList].Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Equal($"\"{VersionContract.AdminUser}\" \"{Pools.Secrets.AdminPassword}\"", lines[0]);
        Assert.Equal($"\"app\"\"x\" \"{Pools.Client.Password}\"", lines[1]);
        Assert.DoesNotContain("s3cret", rendered.Files[VersionContract.Files.UserList], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("plain", "'plain'")]
    [InlineData("it's", "'it''s'")]
    [InlineData("sp ace;#=\\x", "'sp ace;#=\\x'")]
    public void TheBackendPasswordIsQuotedInTheServerConnectionString(string password, string quoted)
    {
        var databases = Settings(Render(Pools.Pool(), Pools.Credentials with { Password = password }), "databases");
        Assert.EndsWith("password=" + quoted, databases["orders"], StringComparison.Ordinal);
    }

    [Fact]
    public void A_backslash_before_a_quote_is_refused_naming_the_key()
    {
        var e = Assert.Throws<InvalidManifestException>(() => Render(Pools.Pool(), Pools.Credentials with { Password = "a\\'b" }));
        Assert.Contains(e.Errors, err => err.Field == "data.password");
    }

    [Fact]
    public void A_client_password_that_is_not_url_safe_is_refused()
    {
        Assert.Throws<InvalidManifestException>(() => Render(Pools.Pool(), client: new ClientCredentials("app", "short")));
        Assert.Throws<InvalidManifestException>(() => Render(Pools.Pool(), client: new ClientCredentials("app", new string('a', 40) + "@")));
        Assert.Matches(ClientCredentials.PasswordPattern, ClientCredentials.GeneratePassword());
        Assert.NotEqual(ClientCredentials.GeneratePassword(), ClientCredentials.GeneratePassword());
    }

    [Fact]
    public void HbaKeepsTheAdminConsoleOnTheSocket()
    {
        var trust = Render(Pools.Pool()).Files[VersionContract.Files.Hba];
        Assert.Contains($"local pgbouncer {VersionContract.AdminUser} scram-sha-256", trust, StringComparison.Ordinal);
        Assert.Contains("host pgbouncer all 0.0.0.0/0 reject", trust, StringComparison.Ordinal);
        Assert.Contains("host all all 127.0.0.1/32 trust", trust, StringComparison.Ordinal);
        var scram = Render(Pools.Pool().With(s => s with { Sidecar = s.Sidecar with { ClientAuth = "scram" } })).Files[VersionContract.Files.Hba];
        Assert.Contains("host all all 127.0.0.1/32 scram-sha-256", scram, StringComparison.Ordinal);
        Assert.DoesNotContain(" trust", scram, StringComparison.Ordinal);
    }

    [Fact]
    public void AgentFileDescribesTheRendering()
    {
        var rendered = Render(Pools.Pool());
        using var json = JsonDocument.Parse(rendered.Files[VersionContract.Files.Agent]);
        var root = json.RootElement;
        Assert.Equal("orders-db", root.GetProperty("poolName").GetString());
        Assert.Equal(Version, root.GetProperty("version").GetString());
        Assert.Equal(rendered.ConfigRevision, root.GetProperty("configRevision").GetString());
        Assert.Equal(6432, root.GetProperty("listenPort").GetInt32());
        Assert.Equal(VersionContract.AdminUser, root.GetProperty("adminUser").GetString());
        Assert.Equal("orders", root.GetProperty("probe").GetProperty("database").GetString());
        Assert.Equal("app", root.GetProperty("probe").GetProperty("user").GetString());
        Assert.Equal("6432", root.GetProperty("restartSettings").GetProperty("listen_port").GetString());
        Assert.DoesNotContain("s3cret", rendered.Files[VersionContract.Files.Agent], StringComparison.Ordinal);
    }

    [Fact]
    public void TheRevisionIsFullSha256StableAndCoversEveryFileThroughTheKeyedHmac()
    {
        var a = Render(Pools.Pool());
        Assert.Matches("^[0-9a-f]{64}$", a.ConfigRevision);
        Assert.Equal(a.ConfigRevision, Render(Pools.Pool()).ConfigRevision);

        // Every reloadable change, the backend password, the client password and the key move it.
        Assert.NotEqual(a.ConfigRevision, Render(Pools.Pool().With(s => s with { Pool = s.Pool with { Size = 20 } })).ConfigRevision);
        Assert.NotEqual(a.ConfigRevision, Render(Pools.Pool(), Pools.Credentials with { Password = "rotated" }).ConfigRevision);
        Assert.NotEqual(a.ConfigRevision, Render(Pools.Pool(), client: Pools.Client with { Password = ClientCredentials.GeneratePassword() }).ConfigRevision);
        Assert.NotEqual(a.ConfigRevision, Render(Pools.Pool(), secrets: PoolKey.Generate()).ConfigRevision);

        // Without the key, the revision cannot be recomputed from a guessed password: no bare password hash is an input.
        var masked = Pools.Secrets.Mask(Pools.Credentials.Password);
        Assert.Matches("^[0-9a-f]{64}$", masked);
        Assert.NotEqual(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Pools.Credentials.Password))), masked);
    }

    [Fact]
    public void EquivalentDurationsRenderTheSame()
    {
        var a = Render(Pools.Pool().With(s => s with { Pool = s.Pool with { IdleTimeout = "600s" } }));
        var b = Render(Pools.Pool().With(s => s with { Pool = s.Pool with { IdleTimeout = "10m" } }));
        Assert.Equal(a.ConfigRevision, b.ConfigRevision);
    }

    [Fact]
    public void AppFilesJoinTheVersionAndTheRevision()
    {
        var config = PoolRenderer.Render(Pools.Pool(), Pools.Credentials, Pools.Client, Pools.Secrets);
        var with = PoolRenderer.Finish(config, Version, "i", Pools.Secrets, new Dictionary<string, string> { [VersionContract.Files.ClientPassword] = Pools.Client.Password });
        Assert.Equal(Pools.Client.Password, with.Files[VersionContract.Files.ClientPassword]);
        Assert.NotEqual(PoolRenderer.Finish(config, Version, "i", Pools.Secrets).ConfigRevision, with.ConfigRevision);
        Assert.Throws<ArgumentException>(() => PoolRenderer.Finish(config, Version, "i", Pools.Secrets, new Dictionary<string, string> { [VersionContract.Files.Ini] = "x" }));
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
        Assert.Equal(pem, rendered.Files[VersionContract.Files.ServerCa]);
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
        Assert.DoesNotContain(Pools.Client.Password, Pools.Client.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Pools.Secrets.AdminPassword, Pools.Secrets.ToString(), StringComparison.Ordinal);
    }
}
