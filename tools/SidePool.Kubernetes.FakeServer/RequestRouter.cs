namespace SidePool.Kubernetes.FakeServer;

/// <summary>Maps <c>/api/v1/…</c> and <c>/apis/&lt;group&gt;/&lt;version&gt;/…</c> resource paths to a <see cref="ResourceRequest"/>.</summary>
internal static class RequestRouter
{
    public static ApiException NotFoundPath() =>
        new(404, "NotFound", "the server could not find the requested resource", new System.Text.Json.Nodes.JsonObject());

    public static ResourceRequest Route(ResourceRegistry registry, string group, string version, string[] rest, string method, bool watch)
    {
        string? ns = null;
        string plural;
        string? name = null;
        var subresource = string.Empty;
        var namespaceSubresource = group.Length == 0 && rest.Length == 3 && rest[0] == "namespaces" && rest[2] is "status" or "finalize";
        if (rest.Length >= 3 && rest[0] == "namespaces" && !namespaceSubresource)
        {
            ns = rest[1];
            plural = rest[2];
            name = rest.Length > 3 ? rest[3] : null;
            subresource = rest.Length > 4 ? rest[4] : string.Empty;
            if (rest.Length > 5)
            {
                throw NotFoundPath();
            }
        }
        else
        {
            plural = rest[0];
            name = rest.Length > 1 ? rest[1] : null;
            subresource = rest.Length > 2 ? rest[2] : string.Empty;
            if (rest.Length > 3)
            {
                throw NotFoundPath();
            }
        }

        var definition = registry.Find(group, version, plural) ?? throw NotFoundPath();
        if ((ns is not null && !definition.Namespaced) || (ns is null && definition.Namespaced && name is not null))
        {
            throw NotFoundPath();
        }

        if (subresource == "finalize" && BuiltInResources.IsNamespace(definition))
        {
            subresource = string.Empty;
        }

        var podSubresource = (subresource is "binding" or "log" && definition.Group.Length == 0 && definition.Plural == "pods")
            || (subresource == "token" && definition.Group.Length == 0 && definition.Plural == "serviceaccounts");
        if (subresource.Length > 0 && !podSubresource && !(subresource == "status" && definition.HasStatusSubresource) && !(subresource == "scale" && definition.Scale is not null))
        {
            throw NotFoundPath();
        }

        var verb = method switch
        {
            "GET" when name is not null => "get",
            "GET" when watch => "watch",
            "GET" => "list",
            "POST" when name is null => "create",
            "POST" when subresource is "binding" or "token" => "create",
            "PUT" when name is not null => "update",
            "PATCH" when name is not null => "patch",
            "DELETE" when name is not null => "delete",
            "DELETE" => "deletecollection",
            _ => throw ApiException.MethodNotAllowed($"the server does not allow this method on the requested resource"),
        };
        return new ResourceRequest(definition, ns, name, subresource, verb);
    }
}
