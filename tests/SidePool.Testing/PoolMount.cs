using System.Globalization;
using System.Runtime.InteropServices;

namespace SidePool.Testing;

/// <summary>
/// A config directory laid out like a Kubernetes Secret volume: <c>name -> ..data/name</c>, <c>..data</c> a
/// symlink to a timestamped generation directory, swapped atomically with a rename, as the kubelet does.
/// </summary>
public sealed class PoolMount
{
    private readonly TestDirectory _root;
    private int _generation;

    public PoolMount(TestDirectory root, string name = "pool")
    {
        _root = root;
        Directory = root.CreateSubdirectory(name);
    }

    public string Directory { get; }

    /// <summary>Publishes a new generation of files and swaps <c>..data</c> to it (first call creates the layout).</summary>
    public void Publish(IReadOnlyDictionary<string, string> files)
    {
        _generation++;
        var stamp = DateTime.UtcNow.ToString("yyyy_MM_dd_HH_mm_ss", CultureInfo.InvariantCulture) + "." + _generation.ToString("D9", CultureInfo.InvariantCulture);
        var generationName = $"..{stamp}";
        var relativeRoot = Path.GetRelativePath(_root.FullPath, Directory);
        _root.CreateSubdirectory(Path.Combine(relativeRoot, generationName));
        foreach (var (name, content) in files)
        {
            _root.WriteFile(Path.Combine(relativeRoot, generationName, name), content, UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        }

        var dataLink = Path.Combine(Directory, "..data");
        var previous = new FileInfo(dataLink).LinkTarget;
        var temporaryLink = Path.Combine(Directory, "..data_tmp");
        File.Delete(temporaryLink);
        File.CreateSymbolicLink(temporaryLink, generationName);
        if (rename(temporaryLink, dataLink) != 0) // atomic swap, as the kubelet's atomic writer does
        {
            throw new IOException($"rename {temporaryLink} failed (errno {Marshal.GetLastPInvokeError()})");
        }

        foreach (var name in files.Keys)
        {
            var link = Path.Combine(Directory, name);
            if (!File.Exists(link) && new FileInfo(link).LinkTarget is null)
            {
                File.CreateSymbolicLink(link, Path.Combine("..data", name));
            }
        }

        if (previous is not null)
        {
            System.IO.Directory.Delete(Path.Combine(Directory, previous), recursive: true);
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int rename(string oldPath, string newPath);
}
