using System.Formats.Tar;
using System.Text.Json;
using SidePool.Testing;
using Xunit;

namespace SidePool.Images.Tests;

/// <summary>What each built image is: its configuration, its files (its binaries and nothing else executable, no
/// shell), and its binaries answering under the hardened settings (read-only root, user 65532, no capabilities).</summary>
[Collection(ImagesCollection.Name)]
public sealed class ImageContentTests(ImagesFixture images)
{
    /// <summary>The executables each image holds (everything in a bin or sbin directory).</summary>
    private static readonly Dictionary<string, string[]> Executables = new(StringComparer.Ordinal)
    {
        [ImageNames.Sidecar] = ["usr/local/bin/sidepool-agent", "usr/sbin/pgbouncer"],
        [ImageNames.Operator] = ["usr/local/bin/sidepool-operator"],
        [ImageNames.LoadGen] = ["usr/local/bin/sidepool-loadgen"],
        [ImageNames.Forwarder] = ["usr/bin/socat"],
    };

    public static TheoryData<string> Images => new(ImageNames.All);

    private static Task<ProgramResult> RunAsync(string image, params string[] arguments) =>
        Commands.PodmanAsync(["run", "--rm", "--network", "none", "--read-only", "--read-only-tmpfs=false", "--user", "65532:65532", "--cap-drop", "ALL", ImageNames.Reference(image), .. arguments]);

    [Theory]
    [MemberData(nameof(Images))]
    public async Task TheImageRunsAsNonrootWithItsEntrypointAndCarriesItsInputsHash(string image)
    {
        images.EnsureBuilt();
        using var inspect = JsonDocument.Parse(await Commands.PodmanCheckedAsync("image", "inspect", ImageNames.Reference(image)));
        var config = inspect.RootElement[0].GetProperty("Config");
        Assert.Equal("65532:65532", config.GetProperty("User").GetString());
        Assert.Equal(["/" + Executables[image][0]], config.GetProperty("Entrypoint").EnumerateArray().Select(e => e.GetString()));
        var labels = config.GetProperty("Labels");
        Assert.Matches("^[0-9a-f]{64}$", labels.GetProperty("sidepool.dev/image-inputs").GetString());
        Assert.Equal(SourceTree.DeclaredVersion(), labels.GetProperty("org.opencontainers.image.version").GetString());
    }

    [Theory]
    [MemberData(nameof(Images))]
    public async Task TheImageHoldsItsBinariesTheirLibrariesAndTheNonrootUserAndNoShell(string image)
    {
        images.EnsureBuilt();
        using var directory = new TestDirectory("imgfs");
        var name = $"sidepool-test-fs-{Guid.NewGuid():N}"[..28];
        var tar = Path.Combine(directory.FullPath, "rootfs.tar");
        await Commands.PodmanCheckedAsync("create", "--name", name, ImageNames.Reference(image));
        try
        {
            await Commands.PodmanCheckedAsync("export", "--output", tar, name);
        }
        finally
        {
            await Commands.PodmanAsync("rm", "--force", name);
        }

        var files = new Dictionary<string, TarEntry>(StringComparer.Ordinal);
        await using (var stream = File.OpenRead(tar))
        {
            using var reader = new TarReader(stream);
            while (reader.GetNextEntry(copyData: true) is { } entry)
            {
                files[entry.Name.TrimStart('.', '/').TrimEnd('/')] = entry;
            }
        }

        var executables = files.Where(f => f.Value.EntryType is TarEntryType.RegularFile or TarEntryType.V7RegularFile
                && f.Key.Split('/') is [.., "bin" or "sbin", _])
            .Select(f => f.Key).Order().ToList();
        Assert.Equal(Executables[image].Order(), executables);
        Assert.DoesNotContain(files.Keys, f => f.EndsWith("/sh", StringComparison.Ordinal) || f.EndsWith("/bash", StringComparison.Ordinal));
        Assert.Contains(files.Keys, f => f == "usr/lib64/ld-linux-x86-64.so.2");
        Assert.Contains(files.Keys, f => f == "usr/lib/x86_64-linux-gnu/libc.so.6");
        Assert.Contains("nonroot:x:65532:65532:", await new StreamReader(files["etc/passwd"].DataStream!).ReadToEndAsync(), StringComparison.Ordinal);
        Assert.Contains("nonroot:x:65532:", await new StreamReader(files["etc/group"].DataStream!).ReadToEndAsync(), StringComparison.Ordinal);

        var shell = await Commands.PodmanAsync("run", "--rm", "--network", "none", "--entrypoint", "/bin/sh", ImageNames.Reference(image), "-c", "true");
        Assert.NotEqual(0, shell.ExitCode);
    }

    [Theory]
    [InlineData(ImageNames.Sidecar, "--version", "sidepool-agent {version}")]
    [InlineData(ImageNames.Sidecar, "--help", "--runtime-dir")]
    [InlineData(ImageNames.LoadGen, "--version", "sidepool-loadgen {version}")]
    [InlineData(ImageNames.LoadGen, "--help", "RECONNECT_EVERY")]
    [InlineData(ImageNames.Forwarder, "-V", "socat version")]
    public async Task TheBinariesAnswerOnAReadOnlyRootAsNonroot(string image, string argument, string expected)
    {
        images.EnsureBuilt();
        var result = await RunAsync(image, argument);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains(expected.Replace("{version}", SourceTree.DeclaredVersion(), StringComparison.Ordinal), result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PgBouncerRunsInTheSidecarImage()
    {
        images.EnsureBuilt();
        var result = await Commands.PodmanAsync("run", "--rm", "--network", "none", "--read-only", "--read-only-tmpfs=false", "--user", "65532:65532", "--cap-drop", "ALL", "--entrypoint", "/usr/sbin/pgbouncer", ImageNames.Reference(ImageNames.Sidecar), "--version");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.StartsWith("PgBouncer ", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("tls: OpenSSL", result.Stdout, StringComparison.Ordinal);
    }
}
