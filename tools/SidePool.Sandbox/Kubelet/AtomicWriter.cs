using System.Globalization;

namespace SidePool.Sandbox.Kubelet;

/// <summary>
/// Kubernetes' atomic writer (pkg/volume/util/atomic_writer.go), as Secret, ConfigMap and projected volumes use it: the
/// files live in a timestamped directory <c>..YYYY_MM_DD_HH_MM_SS.NNNNNNNNN</c>; <c>..data</c> is a symlink to it; every
/// top-level path is a symlink <c>name -&gt; ..data/name</c>. An update writes a new timestamped directory, points
/// <c>..data_tmp</c> at it and renames that over <c>..data</c> (one atomic switch: a reader sees the old set or the new
/// set, never a mix), then removes the old directory and the symlinks of paths that are gone.
/// </summary>
internal static partial class AtomicWriter
{
    public const string DataDirectory = "..data";
    private const string NewDataDirectory = "..data_tmp";

    /// <summary>Writes <paramref name="payload"/> (relative path → content and mode) into <paramref name="target"/>; false when it was already there (nothing changes).</summary>
    public static bool Write(string target, IReadOnlyDictionary<string, VolumeFile> payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        Directory.CreateDirectory(target);
        var dataLink = Path.Combine(target, DataDirectory);
        var oldDirectory = LinkTarget(dataLink) is { } old ? Path.GetFileName(old) : null;
        if (oldDirectory is not null && Matches(Path.Combine(target, oldDirectory), payload))
        {
            return false;
        }

        var stamp = ".." + DateTime.UtcNow.ToString("yyyy_MM_dd_HH_mm_ss.", CultureInfo.InvariantCulture) + Random.Shared.Next(0, 1_000_000_000).ToString("D9", CultureInfo.InvariantCulture);
        var newDirectory = Path.Combine(target, stamp);
        Directory.CreateDirectory(newDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        foreach (var (path, file) in payload)
        {
            var full = Path.Combine(newDirectory, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllBytes(full, file.Content);
            File.SetUnixFileMode(full, (UnixFileMode)file.Mode);
        }

        var temporaryLink = Path.Combine(target, NewDataDirectory);
        if (LinkTarget(temporaryLink) is not null || File.Exists(temporaryLink))
        {
            File.Delete(temporaryLink);
        }

        File.CreateSymbolicLink(temporaryLink, stamp);
        if (Rename(temporaryLink, dataLink) != 0) // rename(2) of the symlink itself: the atomic switch
        {
            throw new IOException($"rename {temporaryLink} → {dataLink}: errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()}");
        }

        var wanted = payload.Keys.Select(TopLevel).ToHashSet(StringComparer.Ordinal);
        foreach (var name in wanted)
        {
            var link = Path.Combine(target, name);
            if (LinkTarget(link) is null)
            {
                File.CreateSymbolicLink(link, Path.Combine(DataDirectory, name));
            }
        }

        foreach (var entry in new DirectoryInfo(target).EnumerateFileSystemInfos())
        {
            if (!entry.Name.StartsWith("..", StringComparison.Ordinal) && !wanted.Contains(entry.Name))
            {
                entry.Delete(); // a user-visible symlink of a path no longer in the payload
            }
            else if (entry.Name.StartsWith("..", StringComparison.Ordinal) && entry.Name != stamp && entry.Name != DataDirectory && entry.LinkTarget is null)
            {
                Directory.Delete(entry.FullName, recursive: true); // the previous timestamped directory
            }
        }

        return true;
    }

    /// <summary>Where the symlink at <paramref name="path"/> points (as written), or null when there is no symlink.</summary>
    private static string? LinkTarget(string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget;
        }
        catch (IOException)
        {
            return null;
        }
    }

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "rename", SetLastError = true, StringMarshalling = System.Runtime.InteropServices.StringMarshalling.Utf8)]
    private static partial int Rename(string from, string to);

    private static string TopLevel(string path) => path.Split('/', 2)[0];

    private static bool Matches(string directory, IReadOnlyDictionary<string, VolumeFile> payload)
    {
        if (!Directory.Exists(directory))
        {
            return false;
        }

        var present = Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(directory, f)).ToHashSet(StringComparer.Ordinal);
        if (!present.SetEquals(payload.Keys))
        {
            return false;
        }

        return payload.All(p =>
        {
            var full = Path.Combine(directory, p.Key);
            return (int)File.GetUnixFileMode(full) == p.Value.Mode && File.ReadAllBytes(full).AsSpan().SequenceEqual(p.Value.Content);
        });
    }
}
