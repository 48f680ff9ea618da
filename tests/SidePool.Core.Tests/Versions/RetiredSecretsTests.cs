using SidePool.Api;
using Xunit;

namespace SidePool.Core.Tests;

public sealed class RetiredSecretsTests
{
    private static Secret Secret(string name) => new() { Metadata = new ObjectMeta { Name = name, NamespaceProperty = "shop" } };

    private static Pod Mounting(string secret) => new()
    {
        Metadata = new ObjectMeta { Name = "p" },
        Spec = new PodSpec { Volumes = [new Volume { Name = "v", Secret = new SecretVolumeSource { SecretName = secret } }] },
    };

    [Fact]
    public void OnlyUnmountedNonCurrentVersionSecretsGo()
    {
        var current = Secret("orders-db-" + TestData.V2);
        var old = Secret("orders-db-" + TestData.V1);
        var older = Secret("orders-db-cccccccccc");
        var key = Secret("orders-db-key");
        var gone = RetiredSecrets.ToDelete("orders-db", TestData.V2, [current, old, older, key], [Mounting("orders-db-" + TestData.V1)], [], TestData.Now, Grace);
        Assert.Equal(["orders-db-cccccccccc"], gone.Select(s => s.Metadata!.Name));
    }

    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(10);

    /// <summary>
    /// A pod the webhook admitted with the old version an instant before the new one was published may not be in the
    /// operator's cache yet: the version it mounts must not go in that reconcile. It goes once the status has shown it
    /// Retired (no pod) for the grace period.
    /// </summary>
    [Fact]
    public void A_version_that_just_stopped_being_current_or_mounted_is_kept_for_the_grace_period()
    {
        var current = Secret("orders-db-" + TestData.V2);
        var old = Secret("orders-db-" + TestData.V1);
        PoolVersionStatus Was(string state, DateTimeOffset? retiredAt = null) => new() { Version = TestData.V1, State = state, RetiredAt = retiredAt };

        Assert.Empty(RetiredSecrets.ToDelete("orders-db", TestData.V2, [current, old], [], [Was(VersionStates.Current)], TestData.Now, Grace));
        Assert.Empty(RetiredSecrets.ToDelete("orders-db", TestData.V2, [current, old], [], [Was(VersionStates.Draining)], TestData.Now, Grace));
        Assert.Empty(RetiredSecrets.ToDelete("orders-db", TestData.V2, [current, old], [], [Was(VersionStates.Retired, TestData.Now - TimeSpan.FromSeconds(3))], TestData.Now, Grace));
        Assert.Single(RetiredSecrets.ToDelete("orders-db", TestData.V2, [current, old], [], [Was(VersionStates.Retired, TestData.Now - Grace)], TestData.Now, Grace));
    }
}
