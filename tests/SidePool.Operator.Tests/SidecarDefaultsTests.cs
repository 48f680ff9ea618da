using System.Text.Json.Nodes;
using SidePool.Api;
using SidePool.Core;
using SidePool.Operator.Controller;
using SidePool.Operator.Tests.Support;
using Xunit;

namespace SidePool.Operator.Tests;

/// <summary>
/// <c>--allowed-image-prefix</c> and <c>--default-sidecar-resources</c> through the real controller against the fake
/// API server: a pool naming an image outside the prefixes gets no version (Degraded, reason ImageNotAllowed, naming
/// the image); a pool without resources gets the defaults, stored with its version; a pool with its own keeps them.
/// </summary>
public sealed class SidecarDefaultsTests
{
    private const string Ns = "default";

    private static readonly ResourceRequirements Defaults = new()
    {
        Requests = new Dictionary<string, string> { ["cpu"] = "25m", ["memory"] = "32Mi" },
        Limits = new Dictionary<string, string> { ["memory"] = "64Mi" },
    };

    private static PoolControllerOptions Settings(IReadOnlyList<string> prefixes, ResourceRequirements? resources) => new()
    {
        SidecarMode = "native",
        RecheckInterval = TimeSpan.FromMilliseconds(500),
        Identity = "test",
        Injection = new InjectionOptions { DefaultImage = "registry.example/sidepool/sidecar:1" },
        AllowedImagePrefixes = prefixes,
        DefaultSidecarResources = resources,
    };

    [Fact]
    public async Task A_pool_naming_an_image_outside_the_allowed_prefixes_is_refused_with_a_condition()
    {
        await using var h = await OperatorHarness.StartAsync(Settings(["registry.example/sidepool/"], null));
        await h.CreateCredentialsAsync(Ns, "rogue-creds", "app", "pw");
        await h.CreateCredentialsAsync(Ns, "fine-creds", "app", "pw");
        await h.Pools.CreateAsync(OperatorHarness.Pool(Ns, "rogue", "web", s => s.Sidecar.Image = "evil.example/sidecar:1"));
        await h.Pools.CreateAsync(OperatorHarness.Pool(Ns, "fine", "api"));

        var rogue = await h.PoolWhenAsync(Ns, "rogue", p => p.Status?.Conditions?.Any(c => c.Type == "Degraded" && c.Status == "True") == true, "Degraded");
        var degraded = rogue.Status!.Conditions!.Single(c => c.Type == "Degraded");
        Assert.Equal("ImageNotAllowed", degraded.Reason);
        Assert.Contains("'evil.example/sidecar:1'", degraded.Message, StringComparison.Ordinal);
        Assert.Contains("'registry.example/sidepool/'", degraded.Message, StringComparison.Ordinal);
        Assert.Null(rogue.Status.CurrentVersion);
        Assert.DoesNotContain(await h.PoolSecretsAsync(Ns, "rogue"), s => s.Metadata!.Labels!.ContainsKey("sidepool.dev/version"));

        // The default image is under the prefix: that pool renders.
        var fine = await h.PoolWhenAsync(Ns, "fine", p => p.Status?.CurrentVersion is not null, "current version");
        Assert.NotNull(fine.Status!.CurrentVersion);

        // Naming an allowed image clears the refusal.
        await h.PatchPoolAsync(Ns, "rogue", new JsonObject { ["sidecar"] = new JsonObject { ["image"] = "registry.example/sidepool/sidecar:2" } });
        rogue = await h.PoolWhenAsync(Ns, "rogue", p => p.Status?.CurrentVersion is not null, "version after an allowed image");
        Assert.NotEqual("ImageNotAllowed", rogue.Status!.Conditions!.Single(c => c.Type == "Degraded").Reason);
    }

    [Fact]
    public async Task Pools_without_resources_get_the_defaults_and_pools_with_their_own_keep_them()
    {
        await using var h = await OperatorHarness.StartAsync(Settings([], Defaults));
        await h.CreateCredentialsAsync(Ns, "plain-creds", "app", "pw");
        await h.CreateCredentialsAsync(Ns, "sized-creds", "app", "pw");
        await h.Pools.CreateAsync(OperatorHarness.Pool(Ns, "plain", "web"));
        await h.Pools.CreateAsync(OperatorHarness.Pool(Ns, "sized", "api", s => s.Sidecar.Resources = new ResourceRequirements { Requests = new Dictionary<string, string> { ["cpu"] = "1" } }));

        var plain = await h.PoolWhenAsync(Ns, "plain", p => p.Status?.CurrentVersion is not null, "current version");
        var sized = await h.PoolWhenAsync(Ns, "sized", p => p.Status?.CurrentVersion is not null, "current version");

        var plainSpec = PoolSecretsBuilder.SpecOf(await h.Secrets.GetAsync("plain-" + plain.Status!.CurrentVersion, Ns))!;
        Assert.Equal(Defaults.Requests, plainSpec.Sidecar.Resources.Requests);
        Assert.Equal(Defaults.Limits, plainSpec.Sidecar.Resources.Limits);
        var sizedSpec = PoolSecretsBuilder.SpecOf(await h.Secrets.GetAsync("sized-" + sized.Status!.CurrentVersion, Ns))!;
        Assert.Equal("1", sizedSpec.Sidecar.Resources.Requests!["cpu"]);
        Assert.Null(sizedSpec.Sidecar.Resources.Limits);

        // The pool itself is unchanged: the defaults live in the version, not in the user's object.
        Assert.Null((await h.Pools.GetAsync("plain", Ns)).Spec!.Sidecar.Resources.Requests);
    }

    [Fact]
    public async Task The_defaults_are_part_of_the_version_and_absent_flags_change_nothing()
    {
        string VersionWith(ResourceRequirements? defaults)
        {
            var spec = OperatorHarness.Pool(Ns, "p", "web").Spec!;
            if (defaults is not null)
            {
                spec = spec with { Sidecar = spec.Sidecar with { Resources = defaults } };
            }

            return PoolVersionBuilder.Build("p", spec, new PoolCredentials("app", "pw"), new ClientCredentials("app", "client-password_0123456789abcdefghijkl"), new PoolKey(new byte[32]), new InjectionOptions(), SidecarModes.Native).Version;
        }

        await using var without = await OperatorHarness.StartAsync(Settings([], null));
        await without.CreateCredentialsAsync(Ns, "p-creds", "app", "pw");
        await without.Pools.CreateAsync(OperatorHarness.Pool(Ns, "p", "web"));
        var pool = await without.PoolWhenAsync(Ns, "p", p => p.Status?.CurrentVersion is not null, "current version");
        var spec = PoolSecretsBuilder.SpecOf(await without.Secrets.GetAsync("p-" + pool.Status!.CurrentVersion, Ns))!;
        Assert.Null(spec.Sidecar.Resources.Requests);
        Assert.Null(spec.Sidecar.Resources.Limits);
        Assert.NotEqual(VersionWith(null), VersionWith(Defaults));
    }
}
