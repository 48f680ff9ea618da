using System.Text;
using SidePool.Sandbox.Kubelet;
using SidePool.Testing;
using Xunit;

namespace SidePool.Sandbox.Tests;

/// <summary>Secret volume contents in the kubelet's atomic writer layout, and an update as one <c>..data</c> swap.</summary>
public sealed class AtomicWriterTests
{
    [Fact]
    public void Files_are_symlinks_through_data_and_an_update_swaps_data_to_a_new_timestamped_directory()
    {
        using var directory = new TestDirectory("atomic");
        var target = directory.PathOf("vol");
        var source = new SecretVolumeSource { SecretName = "s", Items = [new KeyToPath { Key = "a", Path = "conf/a.ini" }, new KeyToPath { Key = "b", Path = "b", Mode = 0b100_000_000 }] };
        Secret Version(string a, string b) => new() { Data = new Dictionary<string, byte[]> { ["a"] = Encoding.UTF8.GetBytes(a), ["b"] = Encoding.UTF8.GetBytes(b), ["c"] = [1] } };

        Assert.True(AtomicWriter.Write(target, SecretVolumePayload.Build(source, Version("1", "x"))));
        var first = new FileInfo(Path.Combine(target, "..data")).LinkTarget;
        Assert.False(AtomicWriter.Write(target, SecretVolumePayload.Build(source, Version("1", "x")))); // unchanged: no swap
        Assert.True(AtomicWriter.Write(target, SecretVolumePayload.Build(source, Version("2", "x"))));
        var second = new FileInfo(Path.Combine(target, "..data")).LinkTarget;

        Assert.Matches(@"^\.\.\d{4}_\d\d_\d\d_\d\d_\d\d_\d\d\.\d{9}$", first);
        Assert.NotEqual(first, second);
        Assert.False(Directory.Exists(Path.Combine(target, first!)));
        Assert.Equal("..data/conf", new FileInfo(Path.Combine(target, "conf")).LinkTarget);
        Assert.Equal("..data/b", new FileInfo(Path.Combine(target, "b")).LinkTarget);
        Assert.False(File.Exists(Path.Combine(target, "c"))); // only the items
        Assert.Equal("2", File.ReadAllText(Path.Combine(target, "conf", "a.ini")));
        Assert.Equal((UnixFileMode)SecretVolumePayload.DefaultMode, File.GetUnixFileMode(Path.Combine(target, "..data", "conf", "a.ini")));
        Assert.Equal(UnixFileMode.UserRead, File.GetUnixFileMode(Path.Combine(target, "..data", "b")));
        Assert.Equal([second!, "..data", "b", "conf"], Directory.EnumerateFileSystemEntries(target).Select(e => Path.GetFileName(e)).Order(StringComparer.Ordinal).ToArray());
    }

    [Fact]
    public void A_key_that_is_gone_loses_its_symlink_and_a_missing_secret_fails_unless_optional()
    {
        using var directory = new TestDirectory("atomic");
        var target = directory.PathOf("vol");
        var source = new SecretVolumeSource { SecretName = "s", DefaultMode = 0b110_000_000 };
        AtomicWriter.Write(target, SecretVolumePayload.Build(source, new Secret { Data = new Dictionary<string, byte[]> { ["x"] = [1], ["y"] = [2] } }));
        AtomicWriter.Write(target, SecretVolumePayload.Build(source, new Secret { Data = new Dictionary<string, byte[]> { ["y"] = [3] } }));

        Assert.False(File.Exists(Path.Combine(target, "x")));
        Assert.Null(new FileInfo(Path.Combine(target, "x")).LinkTarget);
        Assert.Equal([3], File.ReadAllBytes(Path.Combine(target, "y")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(target, "..data", "y")));
        Assert.Throws<VolumeNotReadyException>(() => SecretVolumePayload.Build(source, null));
        Assert.Empty(SecretVolumePayload.Build(source with { Optional = true }, null));
    }
}
