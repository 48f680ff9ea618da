using System.Globalization;
using System.Text.Json;
using SidePool.Api;
using SidePool.Contract;

namespace SidePool.Core;

/// <summary>
/// Pure rendering: (pool, backend and client credentials, secrets, layout) → PgBouncer's files; <see cref="Finish"/>
/// seals them into a version with its config revision and the agent's <c>sidepool.json</c>.
/// No I/O. See docs/configuration.md for the field → PgBouncer setting mapping.
/// </summary>
public static class PoolRenderer
{
    private const string Databases = "databases";
    private const string PgBouncer = "pgbouncer";

    public static RenderedConfig Render(ConnectionPool pool, PoolCredentials backend, ClientCredentials client, PoolKey secrets, RenderLayout? layout = null)
    {
        var errors = ConnectionPoolValidator.Validate(pool);
        if (errors.Count > 0)
        {
            throw new InvalidManifestException($"ConnectionPool {pool.Metadata.Name}", errors);
        }

        return Render(pool.Metadata.Name!, pool.Spec!, backend, client, secrets, layout ?? new RenderLayout());
    }

    /// <summary>
    /// Renders a spec that already passed <see cref="ConnectionPoolValidator"/>: PgBouncer's files for the backend
    /// credentials in force and the client credentials of the version (see <see cref="ClientCredentials"/>).
    /// </summary>
    public static RenderedConfig Render(string poolName, ConnectionPoolSpec spec, PoolCredentials backend, ClientCredentials client, PoolKey secrets, RenderLayout layout)
    {
        var credentialErrors = CredentialsValidator.Validate(backend, spec.Backend!);
        if (credentialErrors.Count > 0)
        {
            throw new InvalidManifestException($"Secret {spec.Backend!.CredentialsSecret!.Name}", credentialErrors);
        }

        if (!ClientCredentials.IsValidPassword(client.Password))
        {
            throw new InvalidManifestException($"the client password of pool {poolName}", [new FieldError("password", $"must match {ClientCredentials.PasswordPattern}")]);
        }

        var ini = RenderIni(poolName, spec, backend, layout);
        var restartSettings = PgBouncerSettings.NonReloadable
            .Select(key => (key, value: ini.Get(PgBouncer, key)))
            .Where(p => p.value is not null)
            .OrderBy(p => p.key, StringComparer.Ordinal)
            .ToDictionary(p => p.key, p => p.value!, StringComparer.Ordinal);

        var files = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            [VersionContract.Files.Ini] = ini.ToString(),
            [VersionContract.Files.Hba] = HbaFile.Render(VersionContract.AdminUser, spec.Sidecar.ClientAuth),
            [VersionContract.Files.UserList] = UserList.Render([(VersionContract.AdminUser, secrets.AdminPassword), (client.Username, client.Password)]),
        };
        if (backend.CaCertificate is { } ca)
        {
            files[VersionContract.Files.ServerCa] = ca;
        }

        return new RenderedConfig
        {
            PoolName = poolName,
            Files = files,
            RestartSettings = restartSettings,
            ListenPort = spec.Sidecar.Port,
            SocketDirectory = layout.SocketDirectory,
            Probe = new AgentProbe { Database = spec.Backend!.Database!, User = client.Username },
            Budgeted = spec.Backend.MaxConnections is not null,
        };
    }

    /// <summary>
    /// Seals a rendered configuration into a version: adds the application's files (<paramref name="appFiles"/>,
    /// e.g. connection URLs), computes the config revision over every file (each as an HMAC keyed with the pool's
    /// key, so no secret enters a hash bare) and writes <c>sidepool.json</c>, the agent's contract.
    /// </summary>
    public static RenderedPool Finish(RenderedConfig config, string version, string image, PoolKey secrets, IReadOnlyDictionary<string, string>? appFiles = null)
    {
        var files = new SortedDictionary<string, string>(config.Files.ToDictionary(), StringComparer.Ordinal);
        foreach (var (name, content) in appFiles ?? new Dictionary<string, string>())
        {
            if (!files.TryAdd(name, content) || name == VersionContract.Files.Agent)
            {
                throw new ArgumentException($"file {name} is rendered twice", nameof(appFiles));
            }
        }

        var hash = new CanonicalHash("sidepool.dev/revision/v2").Add("version", version);
        foreach (var (name, content) in files)
        {
            hash.Add($"file.{name}", secrets.Mask(content));
        }

        if (config.Budgeted)
        {
            hash.Add("budget", "live"); // the key is derived from the pool key and the version, both already in
        }

        var revision = hash.ComputeHex();
        files[VersionContract.Files.Agent] = new AgentConfig
        {
            PoolName = config.PoolName,
            Version = version,
            ConfigRevision = revision,
            ListenPort = config.ListenPort,
            SocketDirectory = config.SocketDirectory,
            AdminUser = VersionContract.AdminUser,
            Probe = config.Probe,
            RestartSettings = config.RestartSettings,
            Budget = config.Budgeted ? new AgentBudget { Key = BudgetMessages.DeriveKey(secrets.HashKey, version) } : null,
        }.ToJson() + "\n";

        return new RenderedPool
        {
            Files = files,
            Version = version,
            ConfigRevision = revision,
            RestartSettings = config.RestartSettings,
            Image = image,
        };
    }

    private static IniDocument RenderIni(string poolName, ConnectionPoolSpec spec, PoolCredentials backend, RenderLayout layout)
    {
        var pool = spec.Pool;
        var ini = new IniDocument()
            .Comment($"Rendered by SidePool for ConnectionPool {poolName}. The operator rewrites this file: edit the pool instead.");

        // The server login: the backend user and password (quoted; '' escapes a quote). Applications log in to
        // the sidecar with the client credentials in userlist.txt, never with these.
        var port = Invariant(spec.Backend!.Port);
        var login = $"user={backend.Username} password={QuoteConnectionValue(backend.Password)}";
        ini.Set(Databases, spec.Backend.Database!, $"host={spec.Backend.Host} port={port} dbname={spec.Backend.Database} {login}");
        if (spec.Backend.ReadOnlyHost is { } readOnlyHost)
        {
            ini.Set(Databases, spec.Backend.Database + "_ro", $"host={readOnlyHost} port={port} dbname={spec.Backend.Database} {login}");
        }

        // Owned by SidePool: where the pooler listens, how clients and the agent authenticate.
        ini.Set(PgBouncer, "listen_addr", "127.0.0.1")
            .Set(PgBouncer, "listen_port", Invariant(spec.Sidecar.Port))
            .Set(PgBouncer, "unix_socket_dir", layout.SocketDirectory)
            .Set(PgBouncer, "auth_type", "hba")
            .Set(PgBouncer, "auth_hba_file", Path.Combine(layout.ConfigDirectory, VersionContract.Files.Hba))
            .Set(PgBouncer, "auth_file", Path.Combine(layout.ConfigDirectory, VersionContract.Files.UserList))
            .Set(PgBouncer, "admin_users", VersionContract.AdminUser);

        // The pool.
        ini.Set(PgBouncer, "pool_mode", pool.Mode)
            .Set(PgBouncer, "default_pool_size", Invariant(pool.Size))
            .Set(PgBouncer, "min_pool_size", Invariant(pool.MinSize))
            .Set(PgBouncer, "reserve_pool_size", Invariant(pool.ReserveSize))
            .Set(PgBouncer, "max_client_conn", Invariant(pool.MaxClientConnections))
            .Set(PgBouncer, "query_wait_timeout", Seconds(pool.AcquisitionTimeout))
            .Set(PgBouncer, "server_idle_timeout", Seconds(pool.IdleTimeout))
            .Set(PgBouncer, "server_lifetime", Seconds(pool.MaxLifetime))
            .Set(PgBouncer, "server_check_query", pool.HealthCheck.Query)
            .Set(PgBouncer, "server_check_delay", Seconds(pool.HealthCheck.Interval));

        // Sidecar defaults (see docs/configuration.md for why).
        var parameters = pool.Parameters;

        // The leak guard: first-class fields with safe defaults. A pool that set them as parameters before the fields
        // existed keeps what it set (the parameter wins); other pools get the defaults by a reload in place (both are
        // reloadable: same version, new revision).
        if (!parameters.ContainsKey("idle_transaction_timeout"))
        {
            ini.Set(PgBouncer, "idle_transaction_timeout", Seconds(pool.IdleTransactionTimeout));
        }

        if (!parameters.ContainsKey("client_idle_timeout"))
        {
            ini.Set(PgBouncer, "client_idle_timeout", Seconds(pool.ClientIdleTimeout));
        }
        if (!parameters.ContainsKey("server_reset_query"))
        {
            // Session mode hands a server connection to another client: reset it. Transaction and statement
            // modes must not rely on session state, and PgBouncer skips the reset query there anyway.
            ini.Set(PgBouncer, "server_reset_query", pool.Mode == "session" ? "DISCARD ALL" : "");
        }

        ini.Set(PgBouncer, "ignore_startup_parameters", "extra_float_digits,options");
        if (!parameters.ContainsKey("log_connections"))
        {
            ini.Set(PgBouncer, "log_connections", "0");
        }

        if (!parameters.ContainsKey("log_disconnections"))
        {
            ini.Set(PgBouncer, "log_disconnections", "0");
        }

        ini.Set(PgBouncer, "server_tls_sslmode", spec.Backend.Tls.Mode);
        if (backend.CaCertificate is not null)
        {
            ini.Set(PgBouncer, "server_tls_ca_file", Path.Combine(layout.ConfigDirectory, VersionContract.Files.ServerCa));
        }

        foreach (var (key, value) in parameters.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            ini.Set(PgBouncer, key, PgBouncerParameters.Allowed[key].Check(value).Value!);
        }

        return ini;
    }

    /// <summary>A value in PgBouncer's connection string syntax: single quotes, a quote doubled.</summary>
    internal static string QuoteConnectionValue(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";

    private static string Seconds(string duration) => Duration.ToPgBouncerSeconds(Duration.Parse(duration));

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
