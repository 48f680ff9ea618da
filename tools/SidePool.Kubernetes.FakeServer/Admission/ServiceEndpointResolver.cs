using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using k8s.Models;

namespace SidePool.Kubernetes.FakeServer.Admission;

/// <summary>
/// A webhook's <c>clientConfig.service</c> resolved the way the apiserver reaches it through the cluster network: the
/// Service (404-like <c>service "NAME" not found</c> when missing), its port whose <c>port</c> is the reference's (443 by
/// default), the Service's selector → a ready pod (Ready True, a <c>podIP</c>, not deleting; one picked at random as a
/// ClusterIP spreads connections) → <c>https://podIP:targetPort/</c>, the targetPort a number or the name of one of that
/// pod's container ports (absent: the port itself). No ready pod: <c>no endpoints available for service "NAME"</c>, a
/// connection failure (the webhook's failurePolicy decides).
/// </summary>
internal sealed class ServiceEndpointResolver(ObjectStore store, ResourceRegistry registry)
{
    /// <summary>The pod address that serves the reference, or an error worded as the apiserver's.</summary>
    public (Uri? Address, string? Error) Resolve(Admissionregistrationv1ServiceReference reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        JsonObject? service;
        List<JsonObject> pods;
        lock (store.SyncRoot)
        {
            service = store.Get(registry.Find(string.Empty, "v1", "services")!, reference.NamespaceProperty, reference.Name);
            pods = service is null ? [] : store.List(registry.Find(string.Empty, "v1", "pods")!, reference.NamespaceProperty).Select(p => p.Value).ToList();
        }

        if (service is null)
        {
            return (null, $"service \"{reference.Name}\" not found");
        }

        var wanted = reference.Port ?? 443;
        var servicePort = (service["spec"]?["ports"] as JsonArray ?? []).OfType<JsonObject>().FirstOrDefault(p => JsonNodes.GetInt64(p["port"]) == wanted);
        if (servicePort is null)
        {
            return (null, string.Create(CultureInfo.InvariantCulture, $"unable to find service port {wanted} for service \"{reference.Name}\""));
        }

        var selector = service["spec"]?["selector"] as JsonObject;
        var ready = selector is null || selector.Count == 0 ? [] : pods.Where(p => Selected(selector, p) && Ready(p)).ToList();
        var endpoints = ready.Select(p => (Pod: p, Port: TargetPort(servicePort, p))).Where(e => e.Port is not null).ToList();
        if (endpoints.Count == 0)
        {
            return (null, $"no endpoints available for service \"{reference.Name}\"");
        }

        var chosen = endpoints[RandomNumberGenerator.GetInt32(endpoints.Count)];
        var ip = JsonNodes.GetString(chosen.Pod["status"], "podIP")!;
        return (new Uri(string.Create(CultureInfo.InvariantCulture, $"https://{ip}:{chosen.Port}/")), null);
    }

    private static bool Selected(JsonObject selector, JsonObject pod)
    {
        var labels = JsonNodes.Labels(pod);
        return selector.All(p => labels.TryGetValue(p.Key, out var value) && value == p.Value?.GetValue<string>());
    }

    private static bool Ready(JsonObject pod) =>
        pod["metadata"]?["deletionTimestamp"] is null
        && !string.IsNullOrEmpty(JsonNodes.GetString(pod["status"], "podIP"))
        && (pod["status"]?["conditions"] as JsonArray ?? []).OfType<JsonObject>().Any(c => JsonNodes.GetString(c, "type") == "Ready" && JsonNodes.GetString(c, "status") == "True");

    /// <summary>The pod port the Service port sends to: a number, a container port's name, or (absent) the Service port.</summary>
    private static long? TargetPort(JsonObject servicePort, JsonObject pod)
    {
        var target = servicePort["targetPort"];
        if (target is null)
        {
            return JsonNodes.GetInt64(servicePort["port"]);
        }

        if (target.GetValueKind() == System.Text.Json.JsonValueKind.Number)
        {
            return target.GetValue<long>();
        }

        var name = target.GetValue<string>();
        if (long.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            return number;
        }

        return new[] { "containers", "initContainers" }
            .SelectMany(list => pod["spec"]?[list] as JsonArray ?? [])
            .OfType<JsonObject>()
            .SelectMany(c => c["ports"] as JsonArray ?? [])
            .OfType<JsonObject>()
            .Where(p => JsonNodes.GetString(p, "name") == name)
            .Select(p => JsonNodes.GetInt64(p["containerPort"]))
            .FirstOrDefault();
    }
}
