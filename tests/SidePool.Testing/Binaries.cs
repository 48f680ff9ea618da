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

    private static readonly Lazy<string> AgentPath = new(() =>
    {
        if (Environment.GetEnvironmentVariable("SIDEPOOL_AGENT_BINARY") is { Length: > 0 } overridden)
        {
            return overridden;
        }

        // The agent's own build output (its deps.json names exactly its dependencies), built with the tests'
        // configuration: tests/<project>/bin/<Configuration>/<tfm>/ → src/SidePool.Agent/bin/<Configuration>/<tfm>/.
        var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/'));
        var framework = testOutput.Name;
        var configuration = testOutput.Parent!.Name;
        var root = testOutput;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Operator.sln")))
        {
            root = root.Parent;
        }

        var path = Path.Combine(root?.FullName ?? throw new DirectoryNotFoundException("repository root (Operator.sln) not found"), "src", "SidePool.Agent", "bin", configuration, framework, "sidepool-agent");
        return File.Exists(path) ? path : throw new FileNotFoundException($"the agent is not built: {path} (set SIDEPOOL_AGENT_BINARY to use another build)");
    });

    public static string Postgres(string tool) => Path.Combine(PostgresBinDirectory.Value, tool);

    /// <summary>The sidecar agent: SIDEPOOL_AGENT_BINARY (e.g. the Native AOT build), else the agent project's own build output.</summary>
    public static string Agent => AgentPath.Value;

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
