namespace SidePool.Sandbox.Kubelet;

/// <summary>
/// The pod's /etc/hosts as the kubelet writes it (pkg/kubelet/kubelet_pods.go managedHostsFileContent): the loopback and
/// IPv6 defaults, the pod's IP with its hostname, then host aliases; the sandbox's one alias is
/// <c>postgres.sandbox.svc</c> → 127.0.0.1 (the pod's forwarder).
/// </summary>
internal static class HostsFileContent
{
    public static string Build(string hostname, string podIp = "127.0.0.1") =>
        $"""
        # Kubernetes-managed hosts file.
        127.0.0.1	localhost
        ::1	localhost ip6-localhost ip6-loopback
        fe00::0	ip6-localnet
        fe00::0	ip6-mcastprefix
        fe00::1	ip6-allnodes
        fe00::2	ip6-allrouters
        {podIp}	{hostname}

        # Entries added by HostAliases.
        127.0.0.1	{KubeletSettings.DatabaseHost}

        """;
}
