namespace SidePool.Kubernetes.Auth;

/// <summary>A kubeconfig <c>user.exec</c> block: the credential plugin to run.</summary>
public sealed record ExecCredentialSettings
{
    public required string Command { get; init; }
    public IReadOnlyList<string> Args { get; init; } = [];
    public IReadOnlyList<KeyValuePair<string, string>> Env { get; init; } = [];
    /// <summary><c>client.authentication.k8s.io/v1</c> or <c>client.authentication.k8s.io/v1beta1</c>.</summary>
    public required string ApiVersion { get; init; }
    public string? InstallHint { get; init; }
    public bool ProvideClusterInfo { get; init; }
    /// <summary>The kubeconfig file's folder: a relative command path resolves against it.</summary>
    public string? BaseDirectory { get; init; }
    /// <summary>Cluster details for <c>KUBERNETES_EXEC_INFO</c> when <see cref="ProvideClusterInfo"/> is set.</summary>
    public Uri? ClusterServer { get; init; }
    public string? ClusterCertificateAuthorityData { get; init; }
    public bool ClusterInsecureSkipTlsVerify { get; init; }
    public string? ClusterTlsServerName { get; init; }
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Env values and the CA data may be secret: print names only.</summary>
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append("Command = ").Append(Command)
            .Append(", ApiVersion = ").Append(ApiVersion)
            .Append(", Args = ").Append(Args.Count)
            .Append(", Env = [").Append(string.Join(", ", Env.Select(e => e.Key))).Append(']');
        return true;
    }
}
