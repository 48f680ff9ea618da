using System.Globalization;
using System.Text.Json;
using SidePool.Api;

namespace SidePool.Rendering;

/// <summary>
/// Pure rendering: (pool, credentials, secrets, layout) → the sidecar's files, version and config revision.
/// No I/O. See docs/configuration.md for the field → PgBouncer setting mapping.
/// </summary>
public static class PoolRenderer
{
    private const string Databases = "databases";
    private const string PgBouncer = "pgbouncer";

    public static RenderedPool Render(ConnectionPool pool, PoolCredentials credentials, PoolSecrets secrets, RenderLayout? layout = null)
    {
        var errors = ConnectionPoolValidator.Validate(pool);
        if (errors.Count > 0)
        {
            throw new InvalidManifestException($"ConnectionPool {pool.Metadata.Name}", errors);
        }

        return Render(pool.Metadata.Name!, pool.Spec!, credentials, secrets, layout ?? new RenderLayout());
    }

    /// <summary>Renders a spec that already passed <see cref="ConnectionPoolValidator"/>.</summary>
    public static RenderedPool Render(string poolName, ConnectionPoolSpec spec, PoolCredentials credentials, PoolSecrets secrets, RenderLayout layout)
    {
        var credentialErrors = CredentialsValidator.Validate(credentials, spec.Backend!);
        if (credentialErrors.Count > 0)
        {
            throw new InvalidManifestException($"Secret {spec.Backend!.CredentialsSecret!.Name}", credentialErrors);
        }

        var ini = RenderIni(poolName, spec, credentials, layout);
        var restartSettings = PgBouncerSettings.NonReloadable
            .Select(key => (key, value: ini.Get(PgBouncer, key)))
            .Where(p => p.value is not null)
            .OrderBy(p => p.key, StringComparer.Ordinal)
            .ToDictionary(p => p.key, p => p.value!, StringComparer.Ordinal);
        var image = spec.Sidecar.Image.Length > 0 ? spec.Sidecar.Image : layout.DefaultImage;
        var version = VersionHash(spec, layout, image, restartSettings);

        var files = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            [RenderedPool.IniFile] = ini.ToString(),
            [RenderedPool.HbaFile] = HbaFile.Render(Naming.AdminUser, spec.Sidecar.ClientAuth),
            [RenderedPool.UserListFile] = UserList.Render(Users(credentials, secrets, mask: null)),
        };
        if (credentials.CaCertificate is { } ca)
        {
            files[RenderedPool.CaFile] = ca;
        }

        var revision = RevisionHash(version, files, credentials, secrets);
        files[RenderedPool.AgentFile] = JsonSerializer.Serialize(
            new AgentConfig
            {
                PoolName = poolName,
                Version = version,
                ConfigRevision = revision,
                ListenPort = spec.Sidecar.Port,
                SocketDirectory = layout.SocketDirectory,
                AdminUser = Naming.AdminUser,
                Probe = new AgentProbe(spec.Backend!.Database!, credentials.Username),
                RestartSettings = restartSettings,
            },
            RenderingJsonContext.Default.AgentConfig) + "\n";

        return new RenderedPool
        {
            Files = files,
            Version = version,
            ConfigRevision = revision,
            RestartSettings = restartSettings,
            Image = image,
        };
    }

    private static IniDocument RenderIni(string poolName, ConnectionPoolSpec spec, PoolCredentials credentials, RenderLayout layout)
    {
        var backend = spec.Backend!;
        var pool = spec.Pool;
        var ini = new IniDocument()
            .Comment($"Rendered by SidePool for ConnectionPool {poolName}. The operator rewrites this file: edit the pool instead.");

        var port = Invariant(backend.Port);
        ini.Set(Databases, backend.Database!, $"host={backend.Host} port={port} dbname={backend.Database} user={credentials.Username}");
        if (backend.ReadOnlyHost is { } readOnlyHost)
        {
            ini.Set(Databases, backend.Database + "_ro", $"host={readOnlyHost} port={port} dbname={backend.Database} user={credentials.Username}");
        }

        // Owned by SidePool: where the pooler listens, how clients and the agent authenticate.
        ini.Set(PgBouncer, "listen_addr", "127.0.0.1")
            .Set(PgBouncer, "listen_port", Invariant(spec.Sidecar.Port))
            .Set(PgBouncer, "unix_socket_dir", layout.SocketDirectory)
            .Set(PgBouncer, "auth_type", "hba")
            .Set(PgBouncer, "auth_hba_file", Path.Combine(layout.ConfigDirectory, RenderedPool.HbaFile))
            .Set(PgBouncer, "auth_file", Path.Combine(layout.ConfigDirectory, RenderedPool.UserListFile))
            .Set(PgBouncer, "admin_users", Naming.AdminUser);

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

        ini.Set(PgBouncer, "server_tls_sslmode", backend.Tls.Mode);
        if (credentials.CaCertificate is not null)
        {
            ini.Set(PgBouncer, "server_tls_ca_file", Path.Combine(layout.ConfigDirectory, RenderedPool.CaFile));
        }

        foreach (var (key, value) in parameters.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            ini.Set(PgBouncer, key, PgBouncerParameters.Allowed[key].Check(value).Value!);
        }

        return ini;
    }

    private static string VersionHash(ConnectionPoolSpec spec, RenderLayout layout, string image, IReadOnlyDictionary<string, string> restartSettings)
    {
        var sidecar = spec.Sidecar;
        var env = spec.Injection.Env;
        var hash = new CanonicalHash("sidepool.dev/version/v1")
            .Add("sidecar.image", image)
            .Add("sidecar.mode", layout.SidecarMode)
            .Add("sidecar.port", Invariant(sidecar.Port))
            .Add("sidecar.unixSocket", sidecar.UnixSocket ? "true" : "false")
            .Add("sidecar.clientAuth", sidecar.ClientAuth)
            .Add("layout.configDirectory", layout.ConfigDirectory)
            .Add("layout.socketDirectory", layout.SocketDirectory)
            .Add("rollout.drainTimeout", Seconds(spec.Rollout.DrainTimeout))
            .Add("injection.env.url", env.Url)
            .Add("injection.env.directUrl", env.DirectUrl)
            .Add("injection.env.pgVars", env.PgVars ? "true" : "false")
            .Add("injection.containers", string.Join(",", spec.Injection.Containers));

        // Values the pod spec itself carries (env of app containers) need new pods to change.
        if (env.DirectUrl.Length > 0)
        {
            hash.Add("injection.directTarget", $"{spec.Backend!.Host}:{Invariant(spec.Backend.Port)}/{spec.Backend.Database}");
        }

        if (env.PgVars || env.Url.Length > 0)
        {
            hash.Add("injection.database", spec.Backend!.Database!);
        }

        foreach (var (kind, map) in new[] { ("requests", sidecar.Resources.Requests), ("limits", sidecar.Resources.Limits) })
        {
            foreach (var (name, quantity) in map ?? new Dictionary<string, string>())
            {
                hash.Add($"sidecar.resources.{kind}.{name}", quantity);
            }
        }

        foreach (var (key, value) in restartSettings)
        {
            hash.Add($"pgbouncer.{key}", value);
        }

        return hash.ComputeHex();
    }

    private static string RevisionHash(string version, IReadOnlyDictionary<string, string> files, PoolCredentials credentials, PoolSecrets secrets)
    {
        var hash = new CanonicalHash("sidepool.dev/revision/v1").Add("version", version);
        foreach (var (name, content) in files)
        {
            // Passwords enter only as HMACs keyed with the pool's secret key, never as bare hashes.
            hash.Add($"file.{name}", name == RenderedPool.UserListFile
                ? UserList.Render(Users(credentials, secrets, secrets.Mask))
                : content);
        }

        return hash.ComputeHex();
    }

    private static IEnumerable<(string User, string Password)> Users(PoolCredentials credentials, PoolSecrets secrets, Func<string, string>? mask)
    {
        mask ??= p => p;
        yield return (Naming.AdminUser, mask(secrets.AdminPassword));
        yield return (credentials.Username, mask(credentials.Password));
    }

    private static string Seconds(string duration) => Duration.ToPgBouncerSeconds(Duration.Parse(duration));

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
