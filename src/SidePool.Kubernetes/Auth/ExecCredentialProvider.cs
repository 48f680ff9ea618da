using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using SidePool.Kubernetes.Models;

namespace SidePool.Kubernetes.Auth;

/// <summary>
/// Runs a client-go credential plugin (<c>client.authentication.k8s.io/v1</c> or <c>v1beta1</c>) and uses the token of
/// the <c>ExecCredential</c> it prints. The credential is cached until its <c>expirationTimestamp</c> (forever if none);
/// a 401 drops it so the plugin runs again once.
/// </summary>
public sealed class ExecCredentialProvider : IAuthenticationProvider, IDisposable
{
    private readonly ExecCredentialSettings _settings;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _runGate = new(1, 1);
    private CachedCredential? _cached;

    public ExecCredentialProvider(ExecCredentialSettings settings, TimeProvider? timeProvider = null)
    {
        if (settings.ApiVersion is not ("client.authentication.k8s.io/v1" or "client.authentication.k8s.io/v1beta1"))
        {
            throw new KubernetesConfigException($"exec plugin '{settings.Command}': unsupported apiVersion '{settings.ApiVersion}' (use client.authentication.k8s.io/v1 or v1beta1).");
        }

        _settings = settings;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>How many times the plugin has been run (for diagnostics).</summary>
    public int Invocations { get; private set; }

    public async ValueTask<AuthenticationHeaderValue?> GetAuthorizationAsync(CancellationToken cancellationToken)
    {
        var cached = Volatile.Read(ref _cached);
        if (cached is not null && !IsExpired(cached))
        {
            return cached.Header;
        }

        await _runGate.WaitAsync(cancellationToken);
        try
        {
            cached = _cached;
            if (cached is not null && !IsExpired(cached))
            {
                return cached.Header;
            }

            cached = await RunPluginAsync(cancellationToken);
            Volatile.Write(ref _cached, cached);
            return cached.Header;
        }
        finally
        {
            _runGate.Release();
        }
    }

    public bool Invalidate()
    {
        Volatile.Write(ref _cached, null);
        return true;
    }

    public void Dispose() => _runGate.Dispose();

    public override string ToString() => $"ExecCredentialProvider({_settings.Command})";

    private bool IsExpired(CachedCredential credential) =>
        credential.ExpiresAt is { } expiry && _time.GetUtcNow() >= expiry;

    private async Task<CachedCredential> RunPluginAsync(CancellationToken cancellationToken)
    {
        var command = ResolveCommand();
        var start = new ProcessStartInfo(command)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in _settings.Args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in _settings.Env)
        {
            start.Environment[name] = value;
        }

        start.Environment["KUBERNETES_EXEC_INFO"] = BuildExecInfo();

        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            var hint = string.IsNullOrEmpty(_settings.InstallHint) ? string.Empty : $" {_settings.InstallHint}";
            throw new KubernetesConfigException($"exec plugin '{_settings.Command}' could not be started: {ex.Message}.{hint}", ex);
        }

        Invocations++;
        process.StandardInput.Close();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_settings.Timeout);
        var stdoutTask = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderrTask = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
            }

            cancellationToken.ThrowIfCancellationRequested();
            throw new KubernetesConfigException($"exec plugin '{_settings.Command}' did not finish within {_settings.Timeout.TotalSeconds:0} s.");
        }

        var stdout = await stdoutTask;
        var stderr = await stderrTask;
        if (process.ExitCode != 0)
        {
            var tail = stderr.Length > 500 ? stderr[^500..] : stderr;
            throw new KubernetesConfigException($"exec plugin '{_settings.Command}' exited with code {process.ExitCode}: {tail.Trim()}");
        }

        return Parse(stdout);
    }

    private string ResolveCommand()
    {
        var command = _settings.Command;
        if (!Path.IsPathRooted(command) && command.Contains('/', StringComparison.Ordinal) && _settings.BaseDirectory is not null)
        {
            return Path.GetFullPath(Path.Combine(_settings.BaseDirectory, command));
        }

        return command;
    }

    private string BuildExecInfo()
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("apiVersion", _settings.ApiVersion);
            writer.WriteString("kind", "ExecCredential");
            writer.WriteStartObject("spec");
            writer.WriteBoolean("interactive", false);
            if (_settings.ProvideClusterInfo && _settings.ClusterServer is not null)
            {
                writer.WriteStartObject("cluster");
                writer.WriteString("server", _settings.ClusterServer.ToString().TrimEnd('/'));
                if (_settings.ClusterTlsServerName is not null)
                {
                    writer.WriteString("tls-server-name", _settings.ClusterTlsServerName);
                }

                if (_settings.ClusterInsecureSkipTlsVerify)
                {
                    writer.WriteBoolean("insecure-skip-tls-verify", true);
                }

                if (_settings.ClusterCertificateAuthorityData is not null)
                {
                    writer.WriteString("certificate-authority-data", _settings.ClusterCertificateAuthorityData);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private CachedCredential Parse(string stdout)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(stdout);
        }
        catch (JsonException ex)
        {
            throw new KubernetesConfigException($"exec plugin '{_settings.Command}' did not print a JSON ExecCredential (line {ex.LineNumber}).", null);
        }

        using (document)
        {
            var root = document.RootElement;
            var kind = root.TryGetProperty("kind", out var k) ? k.GetString() : null;
            var apiVersion = root.TryGetProperty("apiVersion", out var v) ? v.GetString() : null;
            if (kind != "ExecCredential")
            {
                throw new KubernetesConfigException($"exec plugin '{_settings.Command}' printed kind '{kind}', expected ExecCredential.");
            }

            if (apiVersion != _settings.ApiVersion)
            {
                throw new KubernetesConfigException($"exec plugin '{_settings.Command}' printed apiVersion '{apiVersion}', expected '{_settings.ApiVersion}'.");
            }

            if (!root.TryGetProperty("status", out var status) || status.ValueKind != JsonValueKind.Object)
            {
                throw new KubernetesConfigException($"exec plugin '{_settings.Command}': the ExecCredential has no status.");
            }

            var token = status.TryGetProperty("token", out var t) ? t.GetString() : null;
            if (string.IsNullOrEmpty(token))
            {
                var hasCertificate = status.TryGetProperty("clientCertificateData", out _);
                throw new KubernetesConfigException(hasCertificate
                    ? $"exec plugin '{_settings.Command}' returned a client certificate; only token credentials are supported."
                    : $"exec plugin '{_settings.Command}': the ExecCredential status has no token.");
            }

            DateTimeOffset? expiresAt = null;
            if (status.TryGetProperty("expirationTimestamp", out var e) && e.ValueKind == JsonValueKind.String)
            {
                try
                {
                    expiresAt = Rfc3339.Parse(e.GetString());
                }
                catch (JsonException)
                {
                    throw new KubernetesConfigException($"exec plugin '{_settings.Command}': expirationTimestamp is not RFC 3339.");
                }
            }

            return new CachedCredential(new AuthenticationHeaderValue("Bearer", token), expiresAt);
        }
    }

    private sealed record CachedCredential(AuthenticationHeaderValue Header, DateTimeOffset? ExpiresAt);
}
