using System.Xml.Linq;

namespace SidePool.Testing;

/// <summary>Files of the repository the tests run from (found upwards from the test's output folder by <c>Operator.sln</c>).</summary>
public static class SourceTree
{
    public static string Root { get; } = FindRoot();

    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    /// <summary>The product version declared once for every executable: <c>&lt;Version&gt;</c> in <c>Directory.Build.props</c>.</summary>
    public static string DeclaredVersion()
    {
        var props = XDocument.Load(PathOf("Directory.Build.props"));
        var versions = props.Descendants("Version").Select(v => v.Value.Trim()).ToList();
        return versions.Count == 1 && versions[0].Length > 0
            ? versions[0]
            : throw new InvalidOperationException($"Directory.Build.props must declare exactly one non-empty <Version>, found {versions.Count}");
    }

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Operator.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("repository root (Operator.sln) not found");
    }
}
