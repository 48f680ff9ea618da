using System.Text.Json;
using SidePool.Kubernetes.Auth;
using SidePool.Kubernetes.Config;
using SidePool.Kubernetes.Errors;
using SidePool.Kubernetes.Models;
using SidePool.Kubernetes.Tests.Support;
using Xunit;

namespace SidePool.Kubernetes.Tests;

/// <summary>A real shell-script credential plugin that counts its runs and records what it was given.</summary>
public sealed class ExecCredentialTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private int Invocations => File.Exists(Path.Combine(_dir.Path, "count")) ? int.Parse(File.ReadAllText(Path.Combine(_dir.Path, "count")).Trim(), System.Globalization.CultureInfo.InvariantCulture) : 0;

    /// <summary>Prints an ExecCredential whose token is "exec-token-N" (N = run number).</summary>
    private string WritePlugin(string apiVersion, string expiration)
    {
        var json = "{\"apiVersion\":\"" + apiVersion + "\",\"kind\":\"ExecCredential\",\"status\":{\"token\":\"exec-token-$n\"" + expiration + "}}";
        var script = _dir.Write("bin/plugin.sh", $$"""
            #!/bin/sh
            dir="{{_dir.Path}}"
            n=$(cat "$dir/count" 2>/dev/null || echo 0)
            n=$((n+1))
            echo "$n" > "$dir/count"
            printf '%s\n' "$@" > "$dir/args"
            printf '%s' "$KUBERNETES_EXEC_INFO" > "$dir/exec-info"
            printf '%s' "$PLUGIN_MODE" > "$dir/env"
            cat <<JSON
            {{json}}
            JSON
            """);
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return script;
    }

    private async Task<KubernetesConnectionSettings> LoadAsync(Uri server, string apiVersion, string expiration)
    {
        WritePlugin(apiVersion, expiration);
        var config = _dir.Write("config", $$"""
            current-context: c
            clusters: [{ name: k, cluster: { server: "{{server}}" } }]
            contexts: [{ name: c, context: { cluster: k, user: u } }]
            users:
            - name: u
              user:
                exec:
                  apiVersion: {{apiVersion}}
                  command: ./bin/plugin.sh
                  args: ["get-token", "--cluster", "with space"]
                  env: [{ name: PLUGIN_MODE, value: test }]
                  provideClusterInfo: true
            """);
        return await KubeConfigLoader.LoadAsync(new KubeConfigLoadOptions { ExplicitPath = config });
    }

    private static RawHttpServer AcceptTokens(params string[] accepted) =>
        RawHttpServer.Start((request, stream, ct) =>
            accepted.Any(t => request.Header("Authorization") == $"Bearer {t}")
                ? RawHttpServer.WriteResponseAsync(stream, 200, """{"metadata":{"name":"x"}}""", cancellationToken: ct)
                : RawHttpServer.WriteResponseAsync(stream, 401, RawHttpServer.StatusJson(401, "Unauthorized", "Unauthorized"), cancellationToken: ct));

    [Theory]
    [InlineData("client.authentication.k8s.io/v1")]
    [InlineData("client.authentication.k8s.io/v1beta1")]
    public async Task Credential_is_cached_until_it_expires_and_the_plugin_gets_args_env_and_exec_info(string apiVersion)
    {
        await using var server = AcceptTokens("exec-token-1");
        var expiry = DateTimeOffset.UtcNow.AddHours(1).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        var settings = await LoadAsync(server.BaseAddress, apiVersion, $",\"expirationTimestamp\":\"{expiry}\"");
        using var client = new SidePool.Kubernetes.Client.KubernetesClient(settings);
        for (var i = 0; i < 3; i++)
        {
            await client.Resource(KubernetesResources.ConfigMaps).GetAsync("x");
        }

        Assert.Equal(1, Invocations);
        Assert.Equal(["get-token", "--cluster", "with space"], File.ReadAllLines(Path.Combine(_dir.Path, "args")));
        Assert.Equal("test", File.ReadAllText(Path.Combine(_dir.Path, "env")));
        using var info = JsonDocument.Parse(File.ReadAllText(Path.Combine(_dir.Path, "exec-info")));
        Assert.Equal(apiVersion, info.RootElement.GetProperty("apiVersion").GetString());
        Assert.Equal("ExecCredential", info.RootElement.GetProperty("kind").GetString());
        Assert.False(info.RootElement.GetProperty("spec").GetProperty("interactive").GetBoolean());
        Assert.Equal(server.BaseAddress.ToString().TrimEnd('/'), info.RootElement.GetProperty("spec").GetProperty("cluster").GetProperty("server").GetString());
    }

    [Fact]
    public async Task An_expired_credential_runs_the_plugin_again()
    {
        await using var server = AcceptTokens("exec-token-1", "exec-token-2");
        var settings = await LoadAsync(server.BaseAddress, "client.authentication.k8s.io/v1", ",\"expirationTimestamp\":\"2020-01-01T00:00:00Z\"");
        using var client = new SidePool.Kubernetes.Client.KubernetesClient(settings);
        await client.Resource(KubernetesResources.ConfigMaps).GetAsync("x");
        await client.Resource(KubernetesResources.ConfigMaps).GetAsync("x");
        Assert.Equal(2, Invocations);
    }

    [Fact]
    public async Task A_401_re_runs_the_plugin_once_and_retries()
    {
        await using var server = AcceptTokens("exec-token-2");
        var settings = await LoadAsync(server.BaseAddress, "client.authentication.k8s.io/v1", string.Empty);
        using var client = new SidePool.Kubernetes.Client.KubernetesClient(settings);
        var map = await client.Resource(KubernetesResources.ConfigMaps).GetAsync("x");
        Assert.Equal("x", map.Metadata!.Name);
        Assert.Equal(2, Invocations);
        Assert.Equal(["Bearer exec-token-1", "Bearer exec-token-2"], server.Requests.Select(r => r.Header("Authorization") ?? string.Empty).ToArray());
    }

    [Fact]
    public async Task A_credential_refused_twice_is_unauthorized_and_the_token_stays_out_of_the_message()
    {
        await using var server = AcceptTokens();
        var settings = await LoadAsync(server.BaseAddress, "client.authentication.k8s.io/v1", string.Empty);
        using var client = new SidePool.Kubernetes.Client.KubernetesClient(settings);
        var error = await Assert.ThrowsAsync<KubernetesUnauthorizedException>(() => client.Resource(KubernetesResources.ConfigMaps).GetAsync("x"));
        Assert.Equal(2, Invocations);
        Assert.DoesNotContain("exec-token", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_plugin_that_prints_the_wrong_api_version_is_rejected()
    {
        var script = WritePlugin("client.authentication.k8s.io/v1beta1", string.Empty);
        using var provider = new ExecCredentialProvider(new ExecCredentialSettings { Command = script, ApiVersion = "client.authentication.k8s.io/v1" });
        var error = await Assert.ThrowsAsync<KubernetesConfigException>(() => provider.GetAuthorizationAsync(default).AsTask());
        Assert.Contains("apiVersion", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failing_plugin_reports_its_exit_code_and_a_missing_one_its_install_hint()
    {
        var failing = _dir.Write("fail.sh", "#!/bin/sh\necho 'login required' >&2\nexit 3\n");
        File.SetUnixFileMode(failing, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        using var provider = new ExecCredentialProvider(new ExecCredentialSettings { Command = failing, ApiVersion = "client.authentication.k8s.io/v1" });
        var error = await Assert.ThrowsAsync<KubernetesConfigException>(() => provider.GetAuthorizationAsync(default).AsTask());
        Assert.Contains("exited with code 3", error.Message, StringComparison.Ordinal);
        Assert.Contains("login required", error.Message, StringComparison.Ordinal);

        using var missing = new ExecCredentialProvider(new ExecCredentialSettings { Command = Path.Combine(_dir.Path, "nope"), ApiVersion = "client.authentication.k8s.io/v1", InstallHint = "Install nope from its website." });
        var notFound = await Assert.ThrowsAsync<KubernetesConfigException>(() => missing.GetAuthorizationAsync(default).AsTask());
        Assert.Contains("Install nope", notFound.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Settings_print_env_names_but_not_values()
    {
        var settings = new ExecCredentialSettings { Command = "aws", ApiVersion = "client.authentication.k8s.io/v1", Env = [new("AWS_SECRET_ACCESS_KEY", "very-secret")] };
        Assert.Contains("AWS_SECRET_ACCESS_KEY", settings.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("very-secret", settings.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Unsupported_api_version_is_refused_up_front()
    {
        var error = Assert.Throws<KubernetesConfigException>(() => new ExecCredentialProvider(new ExecCredentialSettings { Command = "x", ApiVersion = "client.authentication.k8s.io/v1alpha1" }));
        Assert.Contains("v1alpha1", error.Message, StringComparison.Ordinal);
    }
}
