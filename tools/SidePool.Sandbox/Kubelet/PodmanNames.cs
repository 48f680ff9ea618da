namespace SidePool.Sandbox.Kubelet;

/// <summary>Names of a Pod's podman objects: <c>k8s_&lt;namespace&gt;_&lt;name&gt;_&lt;uid prefix&gt;</c> and <c>…-&lt;container&gt;</c>.</summary>
internal static class PodmanNames
{
    public static string Pod(string @namespace, string name, string uid) => $"k8s_{@namespace}_{name}_{uid[..Math.Min(8, uid.Length)]}";

    public static string Container(string pod, string container) => $"{pod}-{container}";

    public static string Infra(string pod) => $"{pod}-infra";
}
