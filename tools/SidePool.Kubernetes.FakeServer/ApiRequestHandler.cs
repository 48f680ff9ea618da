using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace SidePool.Kubernetes.FakeServer;

/// <summary>The HTTP front end: authentication, discovery, OpenAPI, fault injection and resource verbs.</summary>
internal sealed class ApiRequestHandler
{
    private readonly ResourceOperations _operations;
    private readonly FaultInjector _faults;
    private readonly FakeApiServerOptions _options;
    private readonly TimeProvider _time;
    private readonly WatchStreamer _watches;
    private readonly PodSubresources _podSubresources;

    public ApiRequestHandler(ResourceOperations operations, FaultInjector faults, FakeApiServerOptions options, TimeProvider time, CancellationToken stopping)
    {
        _operations = operations;
        _faults = faults;
        _options = options;
        _time = time;
        _watches = new WatchStreamer(operations, faults, options, time, stopping);
        _podSubresources = new PodSubresources(operations, options);
    }

    public async Task HandleAsync(HttpContext context)
    {
        var cancellationToken = context.RequestAborted;
        try
        {
            var authorization = context.Request.Headers.Authorization.ToString();
            var bearer = authorization.StartsWith("Bearer ", StringComparison.Ordinal) ? authorization["Bearer ".Length..] : null;
            var knownToken = bearer is not null && (bearer == _options.RequiredBearerToken || _options.BearerTokens.ContainsKey(bearer) || _operations.ServiceAccounts?.Authenticate(bearer) is not null);
            if (!knownToken && (_options.RequiredBearerToken is not null || (bearer is not null && _options.BearerTokens.Count > 0)))
            {
                throw new ApiException(401, "Unauthorized", "Unauthorized");
            }

            var segments = (context.Request.Path.Value ?? "/").Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
            if (await TryServeNonResourceAsync(context, segments, cancellationToken))
            {
                return;
            }

            var request = Route(context, segments);
            var caller = new RequestContext(UserInfoFor(context, bearer), new WarningCollector()) { ViaApi = true };
            _operations.Authorizer?.Authorize(AttributesOf(context, request, caller));
            context.Items[typeof(RequestContext)] = caller;
            context.Response.OnStarting(() =>
            {
                foreach (var warning in caller.Warnings.All)
                {
                    context.Response.Headers.Append("Warning", WarningCollector.HeaderValue(warning));
                }

                return Task.CompletedTask;
            });
            var delay = _faults.CurrentDelay();
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, _time, cancellationToken);
            }

            if (_faults.NextFailure(request.Verb, request.ResourceName) is { } failure)
            {
                throw _faults.ToException(failure, ApiException.QualifiedResource(request.Definition), request.Verb);
            }

            await ServeResourceAsync(context, request, cancellationToken);
        }
        catch (ApiException error)
        {
            if (!context.Response.HasStarted)
            {
                await JsonOutput.WriteErrorAsync(context, error, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception unexpected) when (unexpected is not OperationCanceledException)
        {
            if (!context.Response.HasStarted)
            {
                var error = new ApiException(500, "InternalError", $"Internal error occurred: {unexpected.GetType().Name}: {unexpected.Message}");
                await JsonOutput.WriteErrorAsync(context, error, cancellationToken);
            }
        }
    }

    private ResourceRequest Route(HttpContext context, string[] segments)
    {
        var query = context.Request.Query;
        var watch = query["watch"] is var w && (w == "true" || w == "1");
        if (segments.Length >= 3 && segments[0] == "api" && segments[1] == "v1")
        {
            return RequestRouter.Route(_operations.Registry, string.Empty, "v1", segments[2..], context.Request.Method, watch);
        }

        if (segments.Length >= 4 && segments[0] == "apis")
        {
            return RequestRouter.Route(_operations.Registry, segments[1], segments[2], segments[3..], context.Request.Method, watch);
        }

        throw RequestRouter.NotFoundPath();
    }

    private async Task<bool> TryServeNonResourceAsync(HttpContext context, string[] segments, CancellationToken cancellationToken)
    {
        var registry = _operations.Registry;
        JsonNode? body = null;
        switch (segments)
        {
            case ["version"]:
                body = DiscoveryDocuments.Version();
                break;
            case ["healthz"] or ["readyz"] or ["livez"]:
                context.Response.ContentType = "text/plain";
                await context.Response.WriteAsync("ok", cancellationToken);
                return true;
            case ["api"]:
                body = DiscoveryDocuments.CoreVersions($"{context.Request.Host}");
                break;
            case ["api", "v1"]:
                body = DiscoveryDocuments.Resources("v1", registry.All().Where(d => d.Group.Length == 0));
                break;
            case ["apis"]:
                body = DiscoveryDocuments.Groups(registry.All());
                break;
            case ["apis", var group]:
                {
                    var definitions = registry.All().Where(d => d.Group == group).ToList();
                    body = definitions.Count > 0 ? DiscoveryDocuments.Group(group, definitions) : throw RequestRouter.NotFoundPath();
                    break;
                }

            case ["apis", var group, var version]:
                {
                    var definitions = registry.All().Where(d => d.Group == group && d.Version == version).ToList();
                    body = definitions.Count > 0 ? DiscoveryDocuments.Resources($"{group}/{version}", definitions) : throw RequestRouter.NotFoundPath();
                    break;
                }

            case ["openapi", ..]:
                body = OpenApiDocuments.Serve(segments, registry) ?? throw RequestRouter.NotFoundPath();
                break;
            default:
                return false;
        }

        if (context.Request.Method != "GET")
        {
            throw ApiException.MethodNotAllowed("the server does not allow this method on the requested resource");
        }

        await JsonOutput.WriteAsync(context, 200, body, cancellationToken);
        return true;
    }

    /// <summary>TokenRequest (<c>POST …/serviceaccounts/NAME/token</c>): 201 with the token; 404 when the account does not exist or tokens are off.</summary>
    private async Task ServeTokenRequestAsync(HttpContext context, ResourceRequest request, CancellationToken cancellationToken)
    {
        if (_operations.ServiceAccounts is not { } accounts)
        {
            throw RequestRouter.NotFoundPath();
        }

        _ = _operations.Get(request.Definition, request.Namespace, request.Name!); // 404 serviceaccounts "x" not found
        var body = JsonNodes.ParseObject(await new StreamReader(context.Request.Body).ReadToEndAsync(cancellationToken));
        var seconds = ServiceAccountAccess.RequestedSeconds(body);
        var (token, expires) = accounts.Issue(request.Namespace ?? "default", request.Name!, seconds);
        context.Response.StatusCode = 201;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(ServiceAccountAccess.Response(body, token, expires, Math.Max(600, seconds)).ToJsonString(JsonOutput.Options), cancellationToken);
    }

    private async Task ServeResourceAsync(HttpContext context, ResourceRequest request, CancellationToken cancellationToken)
    {
        var query = context.Request.Query;
        var definition = request.Definition;
        var table = TableConverter.IsRequested(context.Request.Headers.Accept.ToString());
        var includeObject = query["includeObject"].ToString() is { Length: > 0 } include ? include : "Metadata";
        var now = _time.GetUtcNow();
        var caller = (RequestContext)context.Items[typeof(RequestContext)]!;
        if (request.Subresource == "scale")
        {
            await ServeScaleAsync(context, request, cancellationToken);
            return;
        }

        if (request.Subresource == "token")
        {
            await ServeTokenRequestAsync(context, request, cancellationToken);
            return;
        }

        if (request.Subresource is "binding" or "log")
        {
            await _podSubresources.ServeAsync(context, request, cancellationToken);
            return;
        }

        switch (request.Verb)
        {
            case "get":
                {
                    var obj = _operations.Get(definition, request.Namespace, request.Name!);
                    var result = table
                        ? TableConverter.Convert(definition, [obj], JsonNodes.MetaString(obj, "resourceVersion") ?? string.Empty, null, includeObject, now)
                        : obj;
                    await JsonOutput.WriteAsync(context, 200, result, cancellationToken);
                    break;
                }

            case "list":
                {
                    var page = _operations.List(definition, request.Namespace, ListOptionsFrom(query, definition));
                    JsonObject result;
                    if (table)
                    {
                        result = TableConverter.Convert(definition, page.Items.Select(i => i.Object), page.ResourceVersion, page.Continue, includeObject, now);
                    }
                    else
                    {
                        var metadata = new JsonObject { ["resourceVersion"] = page.ResourceVersion };
                        if (page.Continue is not null)
                        {
                            metadata["continue"] = page.Continue;
                            metadata["remainingItemCount"] = page.RemainingItemCount;
                        }

                        result = new JsonObject
                        {
                            ["kind"] = definition.Kind + "List",
                            ["apiVersion"] = definition.ApiVersion,
                            ["metadata"] = metadata,
                            ["items"] = new JsonArray(page.Items.Select(i => (JsonNode?)ListItem(definition, i.Object)).ToArray()),
                        };
                    }

                    await JsonOutput.WriteAsync(context, 200, result, cancellationToken);
                    break;
                }

            case "watch":
                await _watches.StreamAsync(context, request, ListOptionsFrom(query, definition), table, includeObject, cancellationToken);
                break;
            case "create":
                {
                    var body = await ReadObjectAsync(context, cancellationToken);
                    var created = await _operations.CreateAsync(definition, request.Namespace, body, WriteOptionsFrom(context), caller, cancellationToken);
                    await JsonOutput.WriteAsync(context, 201, created, cancellationToken);
                    break;
                }

            case "update":
                {
                    var body = await ReadObjectAsync(context, cancellationToken);
                    var updated = await _operations.UpdateAsync(definition, request.Namespace, request.Name!, request.Subresource, body, WriteOptionsFrom(context), caller, cancellationToken);
                    await JsonOutput.WriteAsync(context, 200, updated, cancellationToken);
                    break;
                }

            case "patch":
                {
                    var text = await ReadTextAsync(context, cancellationToken);
                    var (patched, created) = await _operations.PatchAsync(definition, request.Namespace, request.Name!, request.Subresource, context.Request.ContentType ?? string.Empty, text, WriteOptionsFrom(context), caller, cancellationToken);
                    await JsonOutput.WriteAsync(context, created ? 201 : 200, patched, cancellationToken);
                    break;
                }

            case "delete":
                {
                    var deleted = _operations.Delete(definition, request.Namespace, request.Name!, await DeleteOptionsFromAsync(context, cancellationToken));
                    await JsonOutput.WriteAsync(context, 200, deleted, cancellationToken);
                    break;
                }

            case "deletecollection":
                {
                    var deleted = _operations.DeleteCollection(definition, request.Namespace, ListOptionsFrom(query, definition), await DeleteOptionsFromAsync(context, cancellationToken));
                    var result = new JsonObject
                    {
                        ["kind"] = definition.Kind + "List",
                        ["apiVersion"] = definition.ApiVersion,
                        ["metadata"] = new JsonObject { ["resourceVersion"] = _operations.Store.ResourceVersion.ToString(CultureInfo.InvariantCulture) },
                        ["items"] = new JsonArray(deleted.Select(d => (JsonNode?)d).ToArray()),
                    };
                    await JsonOutput.WriteAsync(context, 200, result, cancellationToken);
                    break;
                }
        }
    }

    private async Task ServeScaleAsync(HttpContext context, ResourceRequest request, CancellationToken cancellationToken)
    {
        var (definition, ns, name) = (request.Definition, request.Namespace, request.Name!);
        var caller = (RequestContext)context.Items[typeof(RequestContext)]!;
        JsonObject scale;
        switch (request.Verb)
        {
            case "get":
                scale = _operations.GetScale(definition, ns, name);
                break;
            case "update":
                {
                    var body = await ReadObjectAsync(context, cancellationToken);
                    scale = await _operations.UpdateScaleAsync(definition, ns, name, _ => body, WriteOptionsFrom(context), caller, cancellationToken);
                    break;
                }

            case "patch":
                {
                    var contentType = context.Request.ContentType ?? string.Empty;
                    var text = await ReadTextAsync(context, cancellationToken);
                    scale = await _operations.UpdateScaleAsync(definition, ns, name, view => ResourceOperations.PatchedScale(view, contentType, text), WriteOptionsFrom(context), caller, cancellationToken);
                    break;
                }

            default:
                throw ApiException.MethodNotAllowed("the server does not allow this method on the requested resource");
        }

        await JsonOutput.WriteAsync(context, 200, scale, cancellationToken);
    }

    /// <summary>Typed lists of the real server carry no kind/apiVersion per item; custom resource lists do.</summary>
    private static JsonObject ListItem(ResourceDefinition definition, JsonObject item)
    {
        if (!definition.IsCustomResource)
        {
            item.Remove("kind");
            item.Remove("apiVersion");
        }

        return item;
    }

    private static ListOptions ListOptionsFrom(IQueryCollection query, ResourceDefinition definition)
    {
        var limit = 0;
        if (query["limit"] is { Count: > 0 } limitText && !int.TryParse(limitText.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out limit))
        {
            throw ApiException.BadRequest($"invalid limit: {limitText}");
        }

        return new ListOptions(
            LabelSelector.Parse(query["labelSelector"].ToString()),
            FieldSelector.Parse(query["fieldSelector"].ToString(), definition),
            limit,
            query["continue"].ToString());
    }

    private static WriteOptions WriteOptionsFrom(HttpContext context)
    {
        var query = context.Request.Query;
        var manager = query["fieldManager"].ToString();
        var isApply = (context.Request.ContentType ?? string.Empty).StartsWith("application/apply-patch", StringComparison.OrdinalIgnoreCase);
        if (manager.Length == 0 && !isApply)
        {
            var agent = context.Request.Headers.UserAgent.ToString();
            manager = agent.Length == 0 ? "unknown" : agent.Split('/')[0];
        }

        return new WriteOptions(manager, IsTrue(query["force"]), query["dryRun"].Count > 0)
        {
            StrictFieldValidation = query["fieldValidation"].ToString() == "Strict",
            FieldManagerParameter = query["fieldManager"].ToString(),
        };
    }

    private static async Task<DeleteOptions> DeleteOptionsFromAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var query = context.Request.Query;
        string? policy = query["propagationPolicy"].ToString() is { Length: > 0 } p ? p : null;
        string? uid = null;
        string? rv = null;
        var dryRun = query["dryRun"].Count > 0;
        long? grace = long.TryParse(query["gracePeriodSeconds"].ToString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var queryGrace) ? queryGrace : null;
        if (IsTrue(query["orphanDependents"]))
        {
            policy ??= "Orphan";
        }

        // client-go's typed clients (helm's release storage, kubectl's typed commands) send DeleteOptions as protobuf.
        var body = await ReadDeleteOptionsAsync(context, cancellationToken);
        if (body is not null)
        {
            policy = JsonNodes.GetString(body, "propagationPolicy") ?? policy;
            uid = JsonNodes.GetString(body["preconditions"], "uid");
            rv = JsonNodes.GetString(body["preconditions"], "resourceVersion");
            dryRun |= body["dryRun"] is JsonArray { Count: > 0 };
            grace = JsonNodes.GetInt64(body["gracePeriodSeconds"]) ?? grace;
            if (body["orphanDependents"] is JsonValue orphan && orphan.GetValueKind() == System.Text.Json.JsonValueKind.True)
            {
                policy ??= "Orphan";
            }
        }

        if (policy is not null and not ("Orphan" or "Background" or "Foreground"))
        {
            throw new ApiException(422, "Invalid", $"DeleteOptions.meta.k8s.io \"\" is invalid: propagationPolicy: Unsupported value: \"{policy}\": supported values: \"Foreground\", \"Background\", \"Orphan\"");
        }

        return new DeleteOptions(policy, uid, rv, dryRun) { GracePeriodSeconds = grace };
    }

    /// <summary>
    /// What RBAC decides on for a routed request. A list or watch names the object its field selector requires by
    /// <c>metadata.name</c>; a selector that does not parse names none here (the request itself then answers 400).
    /// </summary>
    private static Authorization.AuthorizationAttributes AttributesOf(HttpContext context, ResourceRequest request, RequestContext caller)
    {
        var (user, groups) = Authorization.AuthorizationAttributes.UserOf(caller.UserInfo);
        var name = request.Name;
        if (name is null && request.Verb is "list" or "watch")
        {
            try
            {
                name = FieldSelector.Parse(context.Request.Query["fieldSelector"], request.Definition).RequiredName;
            }
            catch (ApiException)
            {
            }
        }

        return new Authorization.AuthorizationAttributes(user, groups, request.Verb, request.Definition.Group, request.Definition.Plural, request.Subresource, request.Definition.Namespaced ? request.Namespace : null, name);
    }

    /// <summary>
    /// The requester as admission webhooks (and RBAC) see it: the user of a <see cref="FakeApiServerOptions.BearerTokens"/>
    /// token, else the client certificate's CN and O (as the apiserver's x509 authenticator), otherwise
    /// <see cref="FakeApiServerOptions.RequestUser"/>.
    /// </summary>
    private JsonObject UserInfoFor(HttpContext context, string? bearer)
    {
        if (bearer is not null && _options.BearerTokens.TryGetValue(bearer, out var tokenUser))
        {
            return UserInfoJson(tokenUser);
        }

        if (bearer is not null && _operations.ServiceAccounts?.Authenticate(bearer) is { } serviceAccount)
        {
            return serviceAccount;
        }

        if (context.Connection.ClientCertificate is { } certificate)
        {
            var name = certificate.GetNameInfo(System.Security.Cryptography.X509Certificates.X509NameType.SimpleName, forIssuer: false);
            var groups = certificate.SubjectName.EnumerateRelativeDistinguishedNames()
                .Where(rdn => rdn.GetSingleElementType().Value == "2.5.4.10")
                .Select(rdn => (JsonNode?)rdn.GetSingleElementValue())
                .Append("system:authenticated")
                .ToArray();
            return new JsonObject { ["username"] = name, ["groups"] = new JsonArray(groups) };
        }

        return UserInfoJson(_options.RequestUser);
    }

    private static JsonObject UserInfoJson(k8s.Models.V1UserInfo user)
    {
        var result = new JsonObject { ["username"] = user.Username ?? string.Empty };
        if (user.Uid is { Length: > 0 } uid)
        {
            result["uid"] = uid;
        }

        result["groups"] = new JsonArray((user.Groups ?? []).Select(g => (JsonNode?)g).ToArray());
        if (user.Extra is { Count: > 0 } extra)
        {
            result["extra"] = new JsonObject(extra.Select(e => KeyValuePair.Create(e.Key, (JsonNode?)new JsonArray(e.Value.Select(v => (JsonNode?)v).ToArray()))));
        }

        return result;
    }

    private static bool IsTrue(StringValues value) => value.ToString() is "true" or "1";

    private static async Task<JsonObject> ReadObjectAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var contentType = context.Request.ContentType ?? "application/json";
        if (contentType.Contains("protobuf", StringComparison.OrdinalIgnoreCase))
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer, cancellationToken);
            return ProtobufBodyDecoder.Decode(buffer.ToArray());
        }

        var text = await ReadTextAsync(context, cancellationToken);
        return contentType.Contains("yaml", StringComparison.OrdinalIgnoreCase) ? YamlToJson.ParseObject(text) : JsonNodes.ParseObject(text);
    }

    /// <summary>The DeleteOptions body (JSON, or the protobuf envelope), or null when there is none.</summary>
    private static async Task<JsonObject?> ReadDeleteOptionsAsync(HttpContext context, CancellationToken cancellationToken)
    {
        if ((context.Request.ContentType ?? string.Empty).Contains("protobuf", StringComparison.OrdinalIgnoreCase))
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer, cancellationToken);
            if (buffer.Length == 0)
            {
                return null;
            }

            var decoded = ProtobufBodyDecoder.Decode(buffer.ToArray());
            return JsonNodes.GetString(decoded, "kind") == "DeleteOptions"
                ? decoded
                : throw ApiException.BadRequest($"the body of a delete must be DeleteOptions, not {JsonNodes.GetString(decoded, "kind")}");
        }

        var text = await ReadTextAsync(context, cancellationToken);
        return string.IsNullOrWhiteSpace(text) ? null : JsonNodes.ParseObject(text);
    }

    private static async Task<string> ReadTextAsync(HttpContext context, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(context.Request.Body);
        return await reader.ReadToEndAsync(cancellationToken);
    }
}
