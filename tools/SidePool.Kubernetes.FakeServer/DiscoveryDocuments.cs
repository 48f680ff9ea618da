using System.Text.Json.Nodes;

namespace SidePool.Kubernetes.FakeServer;

/// <summary>Legacy (unaggregated) discovery documents: <c>/api</c>, <c>/apis</c>, <c>/api/v1</c>, <c>/apis/&lt;group&gt;[/&lt;version&gt;]</c>, <c>/version</c>.</summary>
internal static class DiscoveryDocuments
{
    private static readonly string[] ObjectVerbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];
    private static readonly string[] SubresourceVerbs = ["get", "patch", "update"];

    public static JsonObject Version() => new()
    {
        ["major"] = "1",
        ["minor"] = "32",
        ["gitVersion"] = "v1.32.0-sidepool-fake",
        ["gitCommit"] = "0000000000000000000000000000000000000000",
        ["gitTreeState"] = "clean",
        ["buildDate"] = "2026-01-01T00:00:00Z",
        ["goVersion"] = "go1.23.0",
        ["compiler"] = "gc",
        ["platform"] = "linux/amd64",
    };

    public static JsonObject CoreVersions(string serverAddress) => new()
    {
        ["kind"] = "APIVersions",
        ["versions"] = new JsonArray("v1"),
        ["serverAddressByClientCIDRs"] = new JsonArray(new JsonObject { ["clientCIDR"] = "0.0.0.0/0", ["serverAddress"] = serverAddress }),
    };

    public static JsonObject Groups(IReadOnlyList<ResourceDefinition> definitions)
    {
        var groups = new JsonArray();
        foreach (var group in definitions.Where(d => d.Group.Length > 0).GroupBy(d => d.Group).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            groups.Add(Group(group.Key, group.ToList()));
        }

        return new JsonObject { ["kind"] = "APIGroupList", ["apiVersion"] = "v1", ["groups"] = groups };
    }

    public static JsonObject Group(string group, IReadOnlyList<ResourceDefinition> definitions)
    {
        var versions = definitions.Select(d => d.Version).Distinct().OrderByDescending(VersionPriority).ToList();
        var versionArray = new JsonArray();
        foreach (var version in versions)
        {
            versionArray.Add(new JsonObject { ["groupVersion"] = $"{group}/{version}", ["version"] = version });
        }

        return new JsonObject
        {
            ["kind"] = "APIGroup",
            ["apiVersion"] = "v1",
            ["name"] = group,
            ["versions"] = versionArray,
            ["preferredVersion"] = new JsonObject { ["groupVersion"] = $"{group}/{versions[0]}", ["version"] = versions[0] },
        };
    }

    public static JsonObject Resources(string groupVersion, IEnumerable<ResourceDefinition> definitions)
    {
        var resources = new JsonArray();
        foreach (var d in definitions.OrderBy(d => d.Plural, StringComparer.Ordinal))
        {
            var resource = new JsonObject
            {
                ["name"] = d.Plural,
                ["singularName"] = d.Singular,
                ["namespaced"] = d.Namespaced,
                ["kind"] = d.Kind,
                ["verbs"] = new JsonArray(ObjectVerbs.Select(v => (JsonNode?)v).ToArray()),
            };
            if (d.ShortNames is { Count: > 0 })
            {
                resource["shortNames"] = new JsonArray(d.ShortNames.Select(s => (JsonNode?)s).ToArray());
            }

            if (d.Categories is { Count: > 0 })
            {
                resource["categories"] = new JsonArray(d.Categories.Select(s => (JsonNode?)s).ToArray());
            }

            resources.Add(resource);
            if (d.Scale is not null)
            {
                resources.Add(new JsonObject
                {
                    ["name"] = d.Plural + "/scale",
                    ["singularName"] = string.Empty,
                    ["namespaced"] = d.Namespaced,
                    ["group"] = "autoscaling",
                    ["version"] = "v1",
                    ["kind"] = "Scale",
                    ["verbs"] = new JsonArray(SubresourceVerbs.Select(v => (JsonNode?)v).ToArray()),
                });
            }

            if (d.HasStatusSubresource)
            {
                resources.Add(new JsonObject
                {
                    ["name"] = d.Plural + "/status",
                    ["singularName"] = string.Empty,
                    ["namespaced"] = d.Namespaced,
                    ["kind"] = d.Kind,
                    ["verbs"] = new JsonArray(SubresourceVerbs.Select(v => (JsonNode?)v).ToArray()),
                });
            }
        }

        return new JsonObject { ["kind"] = "APIResourceList", ["apiVersion"] = "v1", ["groupVersion"] = groupVersion, ["resources"] = resources };
    }

    /// <summary>Kubernetes version priority: GA &gt; beta &gt; alpha, higher numbers first.</summary>
    private static int VersionPriority(string version)
    {
        var match = System.Text.RegularExpressions.Regex.Match(version, "^v(\\d+)(?:(alpha|beta)(\\d+))?$");
        if (!match.Success)
        {
            return 0;
        }

        var major = int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        var level = match.Groups[2].Value switch { "" => 3, "beta" => 2, _ => 1 };
        var minor = match.Groups[3].Success ? int.Parse(match.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;
        return (level * 1000000) + (major * 1000) + minor;
    }
}
