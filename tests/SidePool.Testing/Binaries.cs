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

    public static string Postgres(string tool) => Path.Combine(PostgresBinDirectory.Value, tool);

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
