namespace SidePool.Testing;

/// <summary>
/// A fresh temporary directory that the service user (see <see cref="ServiceUser"/>) can write,
/// removed on dispose.
/// </summary>
public sealed class TestDirectory : IDisposable
{
    private static readonly string Root = Path.Combine(Path.GetTempPath(), "sidepool-tests");

    public TestDirectory(string? prefix = null)
    {
        Directory.CreateDirectory(Root);
        File.SetUnixFileMode(Root, (UnixFileMode)0x1FF | UnixFileMode.StickyBit);
        FullPath = Path.Combine(Root, $"{prefix ?? "t"}-{Guid.NewGuid():N}"[..Math.Min(24, (prefix ?? "t").Length + 13)]);
        Directory.CreateDirectory(FullPath);
        ServiceUser.GiveOwnership(FullPath);
    }

    public string FullPath { get; }

    public string PathOf(string relative) => System.IO.Path.Combine(FullPath, relative);

    /// <summary>Creates a sub directory owned by the service user.</summary>
    public string CreateSubdirectory(string name)
    {
        var path = PathOf(name);
        Directory.CreateDirectory(path);
        ServiceUser.GiveOwnership(path);
        return path;
    }

    /// <summary>Writes a file owned by the service user with the given mode.</summary>
    public string WriteFile(string relative, string content, UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite)
    {
        var path = PathOf(relative);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        File.SetUnixFileMode(path, mode);
        ServiceUser.GiveOwnership(path);
        return path;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(FullPath, recursive: true);
        }
        catch (IOException)
        {
            // a process may still hold a socket file; the OS temp cleaner gets it later
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
