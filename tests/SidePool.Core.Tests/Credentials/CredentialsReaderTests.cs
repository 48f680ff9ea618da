using System.Text;
using SidePool.Api;
using Xunit;

namespace SidePool.Core.Tests;

public sealed class CredentialsReaderTests
{
    private static Secret Secret(string name, params (string Key, string Value)[] data) => new()
    {
        Metadata = new ObjectMeta { Name = name, NamespaceProperty = "shop" },
        Data = data.ToDictionary(d => d.Key, d => Encoding.UTF8.GetBytes(d.Value)),
    };

    [Fact]
    public void ReadsUserAndPassword()
    {
        var result = CredentialsReader.Read(TestData.Pool().Spec!, n => n == "orders-creds" ? Secret(n, ("username", "app"), ("password", "hunter2")) : null);
        Assert.Equal("app", result.Credentials!.Username);
        Assert.Equal("hunter2", result.Credentials.Password);
        Assert.Null(result.CaCertificate());
    }

    [Fact]
    public void MissingSecretOrKeyIsAProblemThatNamesNoValue()
    {
        var missing = CredentialsReader.Read(TestData.Pool().Spec!, _ => null);
        Assert.Equal("CredentialsSecretNotFound", missing.Reason);

        var noPassword = CredentialsReader.Read(TestData.Pool().Spec!, n => Secret(n, ("username", "app"), ("pass", "hunter2")));
        Assert.Equal("CredentialsKeyMissing", noPassword.Reason);
        Assert.Contains("password", noPassword.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", noPassword.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadsTheCaBundleFromItsSecret()
    {
        var spec = TestData.Pool(s => s.Backend!.Tls = new BackendTls { Mode = "verify-full", CaSecret = new SecretKeyRef { Name = "ca" } }).Spec!;
        var result = CredentialsReader.Read(spec, n => n == "ca" ? Secret(n, ("ca.crt", "PEM")) : Secret(n, ("username", "app"), ("password", "pw")));
        Assert.Equal("PEM", result.Credentials!.CaCertificate);
        Assert.Equal(["orders-creds", "ca"], CredentialsReader.ReferencedSecrets(spec));
        Assert.Equal("CaSecretNotFound", CredentialsReader.Read(spec, n => n == "ca" ? null : Secret(n, ("username", "app"), ("password", "pw"))).Reason);
    }
}

internal static class CredentialsResultExtensions
{
    public static string? CaCertificate(this CredentialsResult result) => result.Credentials?.CaCertificate;
}
