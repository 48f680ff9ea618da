using k8s;

namespace SidePool.Kubernetes.Config;

/// <summary>
/// Whether this process runs in a pod (KubernetesClient's test: KUBERNETES_SERVICE_HOST/PORT and the service-account
/// token), why not in words a user can act on, and the in-cluster configuration with POD_NAMESPACE honoured.
/// </summary>
public static class InCluster
{
    public const string TokenFile = "/var/run/secrets/kubernetes.io/serviceaccount/token";

    public static bool IsInCluster() => KubernetesClientConfiguration.IsInCluster();

    /// <summary>Null in a pod, else e.g. <c>not in a cluster: KUBERNETES_SERVICE_HOST is not set and the service-account token '…' does not exist</c>.</summary>
    public static string? DescribeAbsence(Func<string, string?>? environment = null, string tokenFile = TokenFile)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var host = environment("KUBERNETES_SERVICE_HOST");
        var tokenExists = File.Exists(tokenFile);
        if (!string.IsNullOrEmpty(host) && !string.IsNullOrEmpty(environment("KUBERNETES_SERVICE_PORT")) && tokenExists)
        {
            return null;
        }

        var token = tokenExists ? $"'{tokenFile}' exists" : $"'{tokenFile}' does not exist";
        return string.IsNullOrEmpty(host)
            ? $"not in a cluster: KUBERNETES_SERVICE_HOST is not set and the service-account token {token}"
            : $"not in a cluster: KUBERNETES_SERVICE_HOST={host} is set but the service-account token {token}";
    }

    /// <summary>KubernetesClient's in-cluster configuration; POD_NAMESPACE (the downward API) wins over the token's namespace.</summary>
    public static KubernetesClientConfiguration Load()
    {
        var configuration = KubernetesClientConfiguration.InClusterConfig();
        if (Environment.GetEnvironmentVariable("POD_NAMESPACE") is { Length: > 0 } ns)
        {
            configuration.Namespace = ns;
        }

        return configuration;
    }
}
