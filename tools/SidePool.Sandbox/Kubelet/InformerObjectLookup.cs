using SidePool.Kubernetes.Runtime.Informers;

namespace SidePool.Sandbox.Kubelet;

/// <summary>Secrets and ConfigMaps from the kubelet's informer caches (list + watch), as the kubelet's secret and configmap managers watch them.</summary>
internal sealed class InformerObjectLookup(Informer<Secret> secrets, Informer<ConfigMap> configMaps) : IObjectLookup
{
    public Secret? Secret(string @namespace, string name) => secrets.Cache.Get(@namespace, name);

    public ConfigMap? ConfigMap(string @namespace, string name) => configMaps.Cache.Get(@namespace, name);
}
