namespace SidePool.Kubernetes.Config;

/// <summary>A kubeconfig, in-cluster setting or credential plugin is missing or wrong. The message names the file, context or key.</summary>
public sealed class KubernetesConfigException : Exception
{
    public KubernetesConfigException()
    {
    }

    public KubernetesConfigException(string message)
        : base(message)
    {
    }

    public KubernetesConfigException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
