namespace SidePool.Testing;

/// <summary>Where the real PostgreSQL and PgBouncer binaries live on this machine.</summary>
public static class Binaries
{
    private static readonly Lazy<string> PostgresBinDirectory = new(() =>
    {
        foreach (var candidate in Directory.Exists("/usr/lib/postgresql")
                     ? Directory.GetDirectories("/usr/lib/postgresql").OrderDescending().Select(d => Path.Combine(d, "bin"))
                     : [])
        {
            if (File.Exists(Path.Combine(candidate, "postgres")))
            {
                return candidate;
            }
        }

        return FindOnPath("postgres") is { } found
            ? Path.GetDirectoryName(found)!
            : throw new FileNotFoundException("PostgreSQL server binaries not found (looked in /usr/lib/postgresql/*/bin and PATH)");
    });

    private static readonly Lazy<string> PgBouncerPath = new(() =>
        FindOnPath("pgbouncer") ?? (File.Exists("/usr/sbin/pgbouncer") ? "/usr/sbin/pgbouncer"
            : throw new FileNotFoundException("pgbouncer not found: install it (apt-get install -y pgbouncer)")));

    private static readonly Lazy<string> AgentPath = new(() => Environment.GetEnvironmentVariable("SIDEPOOL_AGENT_BINARY") is { Length: > 0 } native
        ? File.Exists(native) ? Path.GetFullPath(native) : throw new FileNotFoundException($"SIDEPOOL_AGENT_BINARY names {native}, which does not exist (make test publishes it: make agent-aot)")
        : Built(Path.Combine("src", "SidePool.Agent"), "sidepool-agent", "SIDEPOOL_AGENT_BINARY"));

    private static readonly Lazy<string> OperatorPath = new(() => Built(Path.Combine("src", "SidePool.Operator"), "sidepool-operator", "SIDEPOOL_OPERATOR_BINARY"));

    private static readonly Lazy<string> CliPath = new(() => Built(Path.Combine("src", "SidePool.Cli"), "kubectl-sidepool", "SIDEPOOL_CLI_BINARY"));

    private static readonly Lazy<string> SandboxPath = new(() => Built(Path.Combine("tools", "SidePool.Sandbox"), "sidepool-sandbox", "SIDEPOOL_SANDBOX_BINARY"));

    public static string Postgres(string tool) => Path.Combine(PostgresBinDirectory.Value, tool);

    /// <summary>
    /// The sidecar agent: SIDEPOOL_AGENT_BINARY (the Native AOT build; <c>make test</c> sets it, and a name that does not
    /// exist fails instead of falling back), else the agent project's own (JIT) build output.
    /// </summary>
    public static string Agent => AgentPath.Value;

    /// <summary>The operator: SIDEPOOL_OPERATOR_BINARY, else the operator project's own build output.</summary>
    public static string Operator => OperatorPath.Value;

    /// <summary>The kubectl plugin (apphost <c>kubectl-sidepool</c>): SIDEPOOL_CLI_BINARY, else its project's own build output.</summary>
    public static string KubectlSidepool => CliPath.Value;

    /// <summary>The sandbox cluster: SIDEPOOL_SANDBOX_BINARY, else its project's own build output.</summary>
    public static string Sandbox => SandboxPath.Value;

    /// <summary>The repository root (the directory holding Operator.sln) above the running program.</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>
    /// A project's own build output (its deps.json names exactly its dependencies), built with the running program's
    /// configuration and framework: …/bin/&lt;Configuration&gt;/&lt;tfm&gt;/ → &lt;project&gt;/bin/&lt;Configuration&gt;/&lt;tfm&gt;/&lt;name&gt;.
    /// </summary>
    private static string Built(string project, string name, string overrideVariable)
    {
        if (Environment.GetEnvironmentVariable(overrideVariable) is { Length: > 0 } overridden)
        {
            return overridden;
        }

        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/'));
        var path = Path.Combine(RepositoryRoot, project, "bin", output.Parent!.Name, output.Name, name);
        return File.Exists(path) ? path : throw new FileNotFoundException($"{name} is not built: {path} (set {overrideVariable} to use another build)");
    }

    private static string FindRepositoryRoot()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Operator.sln")))
        {
            root = root.Parent;
        }

        return root?.FullName ?? throw new DirectoryNotFoundException("repository root (Operator.sln) not found");
    }

    public static string PgBouncer => PgBouncerPath.Value;

    public static string? FindOnPath(string name)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var dir in path.Split(':', StringSplitOptions.RemoveEmptyEntries).Append("/usr/sbin").Append("/sbin"))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}

/// <summary>Reference data beside the repository (<c>../shared/reference</c>).</summary>
public static class Reference
{
    public static string Directory { get; } = Find();

    public static string OpenApiDirectory => Path.Combine(Directory, "k8s-openapi-v3-1.35");

    private static string Find()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "reference");
            if (System.IO.Directory.Exists(candidate))
            {
                return candidate;
            }

            dir = dir.Parent;
        }

        throw new DirectoryNotFoundException("../shared/reference not found above the test directory");
    }
}
