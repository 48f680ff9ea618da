namespace SidePool.Chart.Tests;

/// <summary>The values the chart is rendered, linted and validated with (docs/install.md lists them).</summary>
internal static class ValueSets
{
    public static readonly IReadOnlyDictionary<string, string> All = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["defaults"] = "{}",
        ["cert-manager"] = """
            certificates:
              mode: cert-manager
            """,
        ["cert-manager-issuer"] = """
            certificates:
              mode: cert-manager
              certManager:
                issuerRef:
                  kind: ClusterIssuer
                  name: corporate-ca
                  group: cert-manager.io
            """,
        ["watched-namespaces"] = """
            watchNamespaces: [shop, billing]
            sidecar:
              mode: native
            """,
        ["opt-outs"] = """
            webhook:
              excludeNamespaces: [kube-system, monitoring, sidepool-system]
              namespaceOptOutLabel: {key: example.com/no-pooler, value: "yes"}
              podOptOutLabel: {key: example.com/pooler, value: "off"}
              reinvocationPolicy: IfNeeded
              timeoutSeconds: 3
            """,
        ["custom-resources"] = """
            resources:
              requests: {cpu: 200m, memory: 256Mi}
              limits: {cpu: "1", memory: 512Mi}
            sidecar:
              defaultResources:
                requests: {cpu: 25m, memory: 32Mi}
                limits: {memory: 64Mi}
            runAsUser: null
            podAntiAffinity: hard
            replicaCount: 3
            podDisruptionBudget: {minAvailable: 2}
            """,
        ["allowed-prefixes"] = """
            sidecar:
              image: registry.example.com/sidepool/sidecar:0.1.0
              allowedImagePrefixes: [registry.example.com/sidepool/, ghcr.io/sidepool/]
            logLevel: debug
            """,
        ["host-network"] = """
            hostNetwork: true
            """,
        ["observability"] = """
            metrics:
              serviceMonitor: {enabled: true, labels: {release: prometheus}}
              podMonitor: {enabled: true}
              prometheusRule: {enabled: true}
              grafanaDashboard: {enabled: true}
            """,
    };

    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (var name in All.Keys)
        {
            data.Add(name);
        }

        return data;
    }
}
