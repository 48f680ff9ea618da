namespace SidePool.Sandbox;

/// <summary>
/// The podman settings file: <c>--containers-conf</c>, else <c>CONTAINERS_CONF</c>, else the repository's
/// <c>images/containers.conf</c> above this program (runc, cgroupfs, no default ulimits: what this kind of machine needs).
/// </summary>
internal static class ContainersConf
{
    public static string Locate(string? option)
    {
        if (option is { Length: > 0 })
        {
            return Path.GetFullPath(option);
        }

        if (Environment.GetEnvironmentVariable("CONTAINERS_CONF") is { Length: > 0 } fromEnvironment)
        {
            return fromEnvironment;
        }

        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "images", "containers.conf");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException("no containers.conf: pass --containers-conf FILE or set CONTAINERS_CONF (see images/containers.conf)");
    }
}
