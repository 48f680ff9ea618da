using System.Text;
using SidePool.Contract;
using SidePool.Core;
using Xunit;

namespace SidePool.Core.Tests;

public sealed class PoolSecretsBuilderTests
{
    private static readonly PoolKey Key = new(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());

    private static readonly ClientCredentials Client = new("app", "client-password_0123456789abcdefghijklmnopq");

    private static RenderedPool Render(Action<Api.ConnectionPoolSpec>? change = null, string password = "pw", string mode = "native") =>
        PoolVersionBuilder.Build("orders-db", TestData.Pool(change).Spec!, new PoolCredentials("app", password), Client, Key, new InjectionOptions { SidecarMode = mode }, mode);

    internal static RenderedPool RenderForTests(Action<Api.ConnectionPoolSpec>? change = null, string mode = "native") => Render(change, mode: mode);

    [Fact]
    public void TheClientSecretHoldsAGeneratedPasswordAndRefusesAnUnusableOne()
    {
        var secret = PoolSecretsBuilder.ClientSecret(TestData.Pool(), ClientCredentials.GeneratePassword());
        Assert.Equal("orders-db-client", secret.Metadata!.Name);
        Assert.Equal(VersionContract.Labels.ManagedByValue, secret.Metadata.Labels![VersionContract.Labels.ManagedBy]);
        Assert.Equal("uid-1", Assert.Single(secret.Metadata.OwnerReferences!).Uid);
        var (password, problem) = PoolSecretsBuilder.ReadClientPassword(secret);
        Assert.Matches(ClientCredentials.PasswordPattern, password);
        Assert.Null(problem);

        var edited = secret with { Data = new Dictionary<string, byte[]> { [VersionContract.Secrets.ClientPasswordDataKey] = Encoding.UTF8.GetBytes("p@ss word") } };
        var (none, why) = PoolSecretsBuilder.ReadClientPassword(edited);
        Assert.Null(none);
        Assert.Contains("orders-db-client", why, StringComparison.Ordinal);
        Assert.DoesNotContain("p@ss", why, StringComparison.Ordinal);
        Assert.Equal((null, null), PoolSecretsBuilder.ReadClientPassword(null));
    }

    [Fact]
    public void VersionSecretIsNamedLabelledAndOwnedByThePool()
    {
        var rendered = Render();
        var secret = PoolSecretsBuilder.VersionSecret(TestData.Pool(), rendered, "native");
        Assert.Equal($"orders-db-{rendered.ShortVersion}", secret.Metadata!.Name);
        Assert.Equal("shop", secret.Metadata.NamespaceProperty);
        Assert.Equal("orders-db", secret.Metadata.Labels![VersionContract.Labels.Pool]);
        Assert.Equal(rendered.ShortVersion, secret.Metadata.Labels[VersionContract.Labels.Version]);
        Assert.Equal(rendered.ConfigRevision, secret.Metadata.Annotations![VersionContract.Annotations.ConfigRevision]);
        Assert.Equal("native", secret.Metadata.Annotations[VersionContract.Annotations.SidecarMode]);
        var spec = PoolSecretsBuilder.SpecOf(secret)!;
        Assert.Equal((6432, "orders", "orders-creds"), (spec.Sidecar.Port, spec.Backend!.Database, spec.Backend.CredentialsSecret!.Name));
        Assert.Equal("orders", spec.Selector!.MatchLabels!["app"]);
        Assert.Null(PoolSecretsBuilder.SpecOf(secret with { Metadata = secret.Metadata with { Annotations = new Dictionary<string, string> { [VersionContract.Annotations.Spec] = "{" } } }));
        var owner = Assert.Single(secret.Metadata.OwnerReferences!);
        Assert.Equal(("ConnectionPool", "orders-db", "uid-1", true), (owner.Kind, owner.Name, owner.Uid, owner.Controller == true));
        Assert.Equal(rendered.Files.Keys.Order(), secret.Data!.Keys.Order());
        Assert.Equal(rendered.Files[VersionContract.Files.Ini], Encoding.UTF8.GetString(secret.Data[VersionContract.Files.Ini]));
    }

    [Fact]
    public void DiffCreatesRewritesOnRevisionChangeAndLeavesEqualSecretsAlone()
    {
        var before = PoolSecretsBuilder.VersionSecret(TestData.Pool(), Render(), "native");
        Assert.Equal(SecretAction.Create, PoolSecretsBuilder.Diff(before, null));
        Assert.Equal(SecretAction.None, PoolSecretsBuilder.Diff(before, before with { Metadata = before.Metadata! with { ResourceVersion = "7" } }));

        // A password rotation is a revision change of the same version: rewrite in place.
        var rotated = Render(password: "new");
        var after = PoolSecretsBuilder.VersionSecret(TestData.Pool(), rotated, "native");
        Assert.Equal(before.Metadata!.Name, after.Metadata!.Name);
        Assert.Equal(SecretAction.Rewrite, PoolSecretsBuilder.Diff(after, before));

        var rewritten = PoolSecretsBuilder.Rewrite(after, before with { Metadata = before.Metadata with { ResourceVersion = "7" } });
        Assert.Equal("7", rewritten.Metadata!.ResourceVersion);
        Assert.Equal(SecretAction.None, PoolSecretsBuilder.Diff(after, rewritten));
    }

    [Fact]
    public void KeySecretRoundTripsTheKeyAndRefusesShortKeys()
    {
        var secret = PoolSecretsBuilder.KeySecret(TestData.Pool(), Key.HashKey);
        Assert.Equal("orders-db-key", secret.Metadata!.Name);
        Assert.Equal(Key.HashKey, PoolSecretsBuilder.ReadKey(secret)!.HashKey);
        Assert.Null(PoolSecretsBuilder.ReadKey(secret with { Data = new Dictionary<string, byte[]> { [VersionContract.Secrets.HashKeyDataKey] = [1, 2] } }));
        Assert.Null(PoolSecretsBuilder.ReadKey(null));
        Assert.DoesNotContain("hash", secret.ToString().Replace("hash-key", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public void ShortVersionOfRecognisesOnlyVersionSecretsOfThePool()
    {
        Assert.Equal("0123456789", VersionContract.Secrets.ShortVersionOf("orders-db", "orders-db-0123456789"));
        Assert.Null(VersionContract.Secrets.ShortVersionOf("orders-db", "orders-db-key"));
        Assert.Null(VersionContract.Secrets.ShortVersionOf("orders", "orders-db-0123456789"));
        Assert.Null(VersionContract.Secrets.ShortVersionOf("orders-db", "orders-db-ABCDEF0123"));
    }
}

public sealed class PublishedVersionTests
{
    [Fact]
    public void RoundTripsWhatTheVersionSecretPublishes()
    {
        Action<Api.ConnectionPoolSpec> change = s => s.Pool.Parameters = new Dictionary<string, string> { ["pkt_buf"] = "8192" };
        var pool = TestData.Pool(change);
        var rendered = PoolSecretsBuilderTests.RenderForTests(change, mode: "classic");
        var secret = PoolSecretsBuilder.VersionSecret(pool, rendered, "classic");
        var back = PublishedVersion.Rendered(secret)!;
        Assert.Equal((rendered.Version, rendered.ConfigRevision, rendered.Image), (back.Version, back.ConfigRevision, back.Image));
        Assert.Equal(rendered.Files, back.Files);
        Assert.Equal("8192", back.RestartSettings["pkt_buf"]);
        Assert.Equal("classic", PublishedVersion.SidecarMode(secret));
        Assert.Null(PublishedVersion.Rendered(secret with { Metadata = secret.Metadata! with { Annotations = null } }));

        // What a later render of the same version needs: its spec, image, mode and client credentials.
        var inputs = PublishedVersion.Inputs(secret)!;
        Assert.Equal((rendered.Version, rendered.Image, "classic"), (inputs.Version, inputs.Image, inputs.SidecarMode));
        Assert.Equal(new ClientCredentials("app", "client-password_0123456789abcdefghijklmnopq"), inputs.Client);
        Assert.Equal("8192", inputs.Spec.Pool.Parameters["pkt_buf"]);
        var again = PoolVersionBuilder.Rebuild(inputs.Version, "orders-db", inputs.Spec, inputs.Image, new PoolCredentials("app", "pw"), inputs.Client, new PoolKey(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray()), inputs.SidecarMode);
        Assert.Equal(rendered.Files, again.Files);
        Assert.Equal(rendered.ConfigRevision, again.ConfigRevision);
        Assert.Null(PublishedVersion.Inputs(secret with { Data = new Dictionary<string, byte[]>() }));
    }
}
