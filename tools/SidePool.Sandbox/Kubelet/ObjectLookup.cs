
namespace SidePool.Sandbox.Kubelet;

/// <summary>How the kubelet finds the Secrets and ConfigMaps a pod names (its informer caches; null when missing).</summary>
internal interface IObjectLookup
{
    Secret? Secret(string @namespace, string name);

    ConfigMap? ConfigMap(string @namespace, string name);
}
