namespace SidePool.Agent;

/// <summary>Finds the PgBouncer binary (the version comes from SHOW VERSION once it runs).</summary>
internal static class PgBouncerBinary
{
    public static string Resolve(string path)
    {
        if (path.Contains('/', StringComparison.Ordinal))
        {
            return path;
        }

        var search = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Append("/usr/sbin").Append("/usr/local/bin").Append("/usr/bin");
        return search.Select(dir => Path.Combine(dir, path)).FirstOrDefault(File.Exists) ?? path;
    }
}
