using Xunit;

namespace SidePool.Reconciliation.Tests;

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
        var gone = RetiredSecrets.ToDelete("orders-db", TestData.V2, [current, old, older, key], [Mounting("orders-db-" + TestData.V1)]);
        Assert.Equal(["orders-db-cccccccccc"], gone.Select(s => s.Metadata!.Name));
    }
}
