using System.Globalization;

namespace SidePool.Sandbox;

/// <summary>
/// <c>--service NS/NAME=127.0.0.1:PORT</c>: where a Service that webhooks name is served on this machine (there is no
/// cluster network). The API server calls <c>https://127.0.0.1:PORT&lt;path&gt;</c> for a webhook whose
/// <c>clientConfig.service</c> is NS/NAME (any service port) and still checks the certificate for NAME.NS.svc.
/// </summary>
internal sealed class ServiceMap
{
    private readonly Dictionary<(string Namespace, string Name), Uri> _services = [];

    public static ServiceMap Parse(IEnumerable<string> values)
    {
        var map = new ServiceMap();
        foreach (var value in values)
        {
            var parts = value.Split('=', 2);
            var name = parts[0].Split('/', 2);
            var endpoint = parts.Length == 2 ? parts[1].Split(':') : [];
            if (name.Length != 2 || name[0].Length == 0 || name[1].Length == 0 || endpoint.Length != 2
                || !System.Net.IPAddress.TryParse(endpoint[0], out var address) || !System.Net.IPAddress.IsLoopback(address)
                || !int.TryParse(endpoint[1], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
            {
                throw new ArgumentException($"--service {value}: expected NAMESPACE/NAME=127.0.0.1:PORT (a loopback address)");
            }

            map._services[(name[0], name[1])] = new Uri($"https://{endpoint[0]}:{port}/");
        }

        return map;
    }

    public int Count => _services.Count;

    public Uri? Resolve(ServiceReference reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        return _services.GetValueOrDefault((reference.NamespaceProperty, reference.Name));
    }
}
