namespace SidePool.ClusterE2E;

/// <summary>The source tree the runner was built from (the chart and images/build.sh are read from it).</summary>
internal static class Repository
{
    public static string Root { get; } = Find();

    public static string Chart => Path.Combine(Root, "charts", "sidepool");

    private static string Find()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Operator.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new DirectoryNotFoundException($"the repository (Operator.sln) above {AppContext.BaseDirectory}");
    }
}
