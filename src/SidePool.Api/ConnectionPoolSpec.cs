using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace SidePool.Api;

/// <summary>
/// The user's contract. Properties with an initializer carry their default (the CRD publishes the same
/// defaults, read from these initializers); <c>[Required]</c> ones have none.
/// </summary>
[Description("ConnectionPoolSpec selects pods in the pool's namespace and describes the PgBouncer sidecar they get.")]
public sealed record ConnectionPoolSpec
{
    [Required]
    [Description("Pods in this namespace that get the sidecar. Required and non-empty.")]
    public LabelSelector? Selector { get; set; }

    [Required]
    [Description("The PostgreSQL server the pool connects to.")]
    public BackendSpec? Backend { get; set; }

    [Description("Pool sizes and timeouts, per pod.")]
    public PoolSettings Pool { get; set; } = new();

    [Description("The injected sidecar container.")]
    public SidecarSpec Sidecar { get; set; } = new();

    [Description("What the application containers get.")]
    public InjectionSpec Injection { get; set; } = new();

    [Description("How a new pool version reaches running pods.")]
    public RolloutSpec Rollout { get; set; } = new();
}

[Description("The PostgreSQL server.")]
public sealed record BackendSpec
{
    [Required]
    [RegularExpression(Naming.HostPattern)]
    [MaxLength(253)]
    [Description("Host name or IP address of the read-write server.")]
    public string? Host { get; set; }

    [Range(1, 65535)]
    [Description("Port of the server (and of readOnlyHost).")]
    public int Port { get; set; } = 5432;

    [Required]
    [RegularExpression(Naming.DatabasePattern)]
    [MaxLength(63)]
    [Description("Database name. Clients connect to this name through the pooler.")]
    public string? Database { get; set; }

    [RegularExpression(Naming.HostPattern)]
    [MaxLength(253)]
    [Description("Optional read-only server: clients also get the database <database>_ro, routed here.")]
    public string? ReadOnlyHost { get; set; }

    [Required]
    [Description("Secret holding the PostgreSQL user and password (same namespace).")]
    public CredentialsSecretRef? CredentialsSecret { get; set; }

    [Description("TLS towards the server.")]
    public BackendTls Tls { get; set; } = new();

    [Range(1, 1_000_000)]
    [Description("Optional budget of server connections for this pool across all of its pods.")]
    public int? MaxConnections { get; set; }
}

[Description("Reference to the Secret with the database credentials.")]
public sealed record CredentialsSecretRef
{
    [Required]
    [RegularExpression(Naming.SecretNamePattern)]
    [MaxLength(253)]
    [Description("Secret name.")]
    public string? Name { get; set; }

    [RegularExpression(Naming.SecretKeyPattern)]
    [MaxLength(253)]
    [Description("Key of the user name.")]
    public string UsernameKey { get; set; } = "username";

    [RegularExpression(Naming.SecretKeyPattern)]
    [MaxLength(253)]
    [Description("Key of the password.")]
    public string PasswordKey { get; set; } = "password";
}

[Description("A key of a Secret in the pool's namespace.")]
public sealed record SecretKeyRef
{
    [Required]
    [RegularExpression(Naming.SecretNamePattern)]
    [MaxLength(253)]
    [Description("Secret name.")]
    public string? Name { get; set; }

    [RegularExpression(Naming.SecretKeyPattern)]
    [MaxLength(253)]
    [Description("Key in the Secret.")]
    public string Key { get; set; } = "ca.crt";
}

[Description("TLS towards the server (PgBouncer server_tls_*).")]
public sealed record BackendTls
{
    [AllowedValues("disable", "allow", "prefer", "require", "verify-ca", "verify-full")]
    [Description("server_tls_sslmode.")]
    public string Mode { get; set; } = "prefer";

    [Description("CA bundle to verify the server with (required for verify-ca and verify-full).")]
    public SecretKeyRef? CaSecret { get; set; }
}

[Description("Pool settings, per pod.")]
public sealed record PoolSettings
{
    [AllowedValues("session", "transaction", "statement")]
    [Description("pool_mode: when a server connection returns to the pool.")]
    public string Mode { get; set; } = "transaction";

    [Range(1, 10_000)]
    [Description("default_pool_size: server connections per pod per database/user pair.")]
    public int Size { get; set; } = 10;

    [Range(0, 10_000)]
    [Description("min_pool_size: server connections kept open when idle.")]
    public int MinSize { get; set; }

    [Range(0, 10_000)]
    [Description("reserve_pool_size: extra server connections for waiting clients.")]
    public int ReserveSize { get; set; }

    [Range(1, 100_000)]
    [Description("max_client_conn: client connections accepted per pod.")]
    public int MaxClientConnections { get; set; } = 100;

    [Duration]
    [Description("query_wait_timeout: how long a client waits for a server connection (0 = forever).")]
    public string AcquisitionTimeout { get; set; } = "30s";

    [Duration]
    [Description("server_idle_timeout: idle server connections are closed after this (0 = never).")]
    public string IdleTimeout { get; set; } = "10m";

    [Duration]
    [Description("server_lifetime: server connections are recycled after this (0 = after one use).")]
    public string MaxLifetime { get; set; } = "1h";

    [Duration]
    [Description("idle_transaction_timeout: a client idle inside a transaction this long is closed and its server connection freed (0 = never). Counted in sidepool_agent_clients_closed_total and the ClientsStuck condition.")]
    public string IdleTransactionTimeout { get; set; } = "5m";

    [Duration]
    [Description("client_idle_timeout: a client connection idle (outside a transaction) this long is closed (0 = never; app-side pools keep idle connections on purpose, and in the sidecar they hold no server connection).")]
    public string ClientIdleTimeout { get; set; } = "0";

    [Description("Server connection health check before reuse.")]
    public HealthCheck HealthCheck { get; set; } = new();

    [StringMap]
    [Description("Further PgBouncer [pgbouncer] settings, from an allow-list; values are checked.")]
    public IReadOnlyDictionary<string, string> Parameters { get; set; } = new Dictionary<string, string>();
}

[Description("server_check_query / server_check_delay.")]
public sealed record HealthCheck
{
    [MinLength(1)]
    [MaxLength(1024)]
    [RegularExpression(Naming.SingleLinePattern)]
    [Description("server_check_query: run on a server connection idle longer than interval.")]
    public string Query { get; set; } = "select 1";

    [Duration]
    [Description("server_check_delay (0 = check every time).")]
    public string Interval { get; set; } = "30s";
}

[Description("The injected sidecar.")]
public sealed record SidecarSpec
{
    [MaxLength(512)]
    [RegularExpression(Naming.ImagePattern)]
    [Description("Sidecar image; empty means the operator's default.")]
    public string Image { get; set; } = "";

    [Range(1, 65535)]
    [Description("The pooler listens on 127.0.0.1:port inside the pod.")]
    public int Port { get; set; } = 6432;

    [Description("Share PgBouncer's unix socket with app containers (an emptyDir at /var/run/sidepool/<pool>); the agent always uses it.")]
    public bool UnixSocket { get; set; } = true;

    [AllowedValues("trust", "scram")]
    [Description("How app containers authenticate to the pooler: trust (loopback and socket only) or scram.")]
    public string ClientAuth { get; set; } = "trust";

    [AllowedValues("pooler", "backend")]
    [Description("What the sidecar's readiness means: pooler (PgBouncer accepts connections; a database outage does not make pods NotReady) or backend (also the database answers through it).")]
    public string Readiness { get; set; } = "pooler";

    [Description("Sidecar resources.")]
    public ResourceRequirements Resources { get; set; } = new();
}

[Description("Container resources (Kubernetes quantities).")]
public sealed record ResourceRequirements
{
    [QuantityMap]
    [Description("Resource requests.")]
    public IReadOnlyDictionary<string, string>? Requests { get; set; }

    [QuantityMap]
    [Description("Resource limits.")]
    public IReadOnlyDictionary<string, string>? Limits { get; set; }
}

[Description("What app containers get.")]
public sealed record InjectionSpec
{
    [Description("Environment variables added to app containers.")]
    public EnvInjection Env { get; set; } = new();

    [Description("App containers that get the env (empty = all).")]
    public IReadOnlyList<string> Containers { get; set; } = [];
}

[Description("Names of the environment variables added to app containers; empty disables one.")]
public sealed record EnvInjection
{
    [RegularExpression(Naming.EnvNamePattern)]
    [Description("Connection URL to the local pooler.")]
    public string Url { get; set; } = "DATABASE_URL";

    [RegularExpression(Naming.EnvNamePattern)]
    [Description("Connection URL straight to the backend with the backend password (e.g. for migrations); empty (the default) gives apps no backend password.")]
    public string DirectUrl { get; set; } = "";

    [Description("Also set PGHOST, PGPORT, PGDATABASE and PGUSER.")]
    public bool PgVars { get; set; } = true;
}

[Description("Rollout of new pool versions.")]
public sealed record RolloutSpec
{
    [AllowedValues("Workload", "None")]
    [Description("Workload: restart owning workloads on a new version. None: only new pods get it.")]
    public string Strategy { get; set; } = "Workload";

    [Duration]
    [Description("How long an old sidecar may keep serving its pod's clients while it terminates.")]
    public string DrainTimeout { get; set; } = "5m";

    [Description("Re-stamp workloads whose pods match but lack the sidecar.")]
    public bool RepairMissing { get; set; }
}
