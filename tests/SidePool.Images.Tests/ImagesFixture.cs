using System.Diagnostics;
using SidePool.Testing;
using Xunit;

namespace SidePool.Images.Tests;

/// <summary>
/// Builds the images once per test run with images/build.sh (the script make images runs): an image whose inputs
/// did not change is not rebuilt (its sidepool.dev/image-inputs label), so a second run costs a hash of the sources.
/// Building needs root (rootful podman and buildah, as on CI); a failed build fails every image test with its log.
/// </summary>
public sealed class ImagesFixture : IAsyncLifetime
{
    private ProgramResult? _build;

    public TimeSpan BuildTime { get; private set; }

    public async Task InitializeAsync()
    {
        if (!ServiceUser.IsRoot)
        {
            return; // EnsureBuilt says why
        }

        var watch = Stopwatch.StartNew();
        _build = await Commands.RunAsync(SourceTree.PathOf("images", "build.sh"), [], TimeSpan.FromMinutes(30));
        BuildTime = watch.Elapsed;
    }

    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>Throws with the reason when the images could not be built.</summary>
    public void EnsureBuilt()
    {
        Assert.True(ServiceUser.IsRoot, "the image tests build and run images with rootful podman/buildah: run them as root (as CI does)");
        Assert.True(_build is { ExitCode: 0 }, $"images/build.sh failed:\n{_build}");
    }
}

[CollectionDefinition(Name)]
public sealed class ImagesCollection : ICollectionFixture<ImagesFixture>
{
    public const string Name = "images";
}
