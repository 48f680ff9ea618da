using System.Text.RegularExpressions;
using SidePool.Testing;
using Xunit;

namespace SidePool.Core.Tests;

/// <summary>
/// docs/architecture.md walks a change file by file: every source file and folder it names exists, so the walk cannot
/// silently point at code that moved. A name may be a full path (<c>src/SidePool.Core/...</c>) or the tail of one
/// (<c>Controller/PoolReconciler.cs</c>, <c>Kubernetes.Runtime/...</c>) as long as exactly the files it names exist.
/// </summary>
public sealed partial class ArchitectureDocsTests
{
    private static readonly string[] SourceFiles = new[] { "src", "tools", "tests" }
        .SelectMany(top => Directory.EnumerateFiles(SourceTree.PathOf(top), "*.cs", SearchOption.AllDirectories))
        .Select(path => Path.GetRelativePath(SourceTree.Root, path).Replace('\\', '/'))
        .Where(path => !path.Contains("/obj/", StringComparison.Ordinal) && !path.Contains("/bin/", StringComparison.Ordinal))
        .ToArray();

    public static TheoryData<string> NamedPaths()
    {
        var doc = File.ReadAllText(SourceTree.PathOf("docs", "architecture.md"));
        var data = new TheoryData<string>();
        foreach (var name in CodeSpan().Matches(doc).Select(m => m.Groups[1].Value).Distinct(StringComparer.Ordinal))
        {
            if (name.EndsWith(".cs", StringComparison.Ordinal) || name.StartsWith("src/", StringComparison.Ordinal) ||
                name.StartsWith("tools/", StringComparison.Ordinal) || name.StartsWith("crds/", StringComparison.Ordinal))
            {
                data.Add(name);
            }
        }

        return data;
    }

    [Fact]
    public void The_walk_names_source_files()
    {
        // the positive control: if the pattern stopped matching, every theory row below would vanish unseen
        Assert.True(NamedPaths().Count >= 40, $"only {NamedPaths().Count} paths found in docs/architecture.md");
    }

    [Theory]
    [MemberData(nameof(NamedPaths))]
    public void Every_path_it_names_exists(string name)
    {
        var trimmed = name.TrimEnd('/');
        var exists = File.Exists(SourceTree.PathOf(trimmed)) || Directory.Exists(SourceTree.PathOf(trimmed)) ||
            SourceFiles.Any(file => file.EndsWith("/" + trimmed, StringComparison.Ordinal) || file.EndsWith("." + trimmed, StringComparison.Ordinal)) ||
            SourceFiles.Any(file => file.Contains("/" + trimmed + "/", StringComparison.Ordinal));

        Assert.True(exists, $"docs/architecture.md names `{name}`, which no file under src/, tools/ or tests/ matches");
    }

    [GeneratedRegex("`([A-Za-z0-9_./-]+)`")]
    private static partial Regex CodeSpan();
}
