namespace SidePool.Kubernetes.FakeServer;

/// <summary>
/// Thread-safe fault injection for tests: scripted failures (<see cref="FailNext"/>), random failures
/// (<see cref="SetErrorRate"/>), RBAC denials (<see cref="Forbid"/>), slow responses (<see cref="Delay"/>) and dropped
/// watch streams (<see cref="DropWatchesAfter"/>, <see cref="DropAllWatches"/>). Faults apply to resource requests only,
/// not discovery. A 429 answer carries <c>Retry-After</c>.
/// </summary>
public sealed class FaultInjector
{
    private readonly Lock _lock = new();
    private readonly List<ScriptedFailure> _scripted = [];
    private readonly List<Action> _dropAllHandlers = [];
    private readonly List<ForbiddenRule> _forbidden = [];
    private double _errorRate;
    private int[] _errorRateCodes = [500];
    private TimeSpan _delay;
    private int? _dropWatchesAfter;
    private long _injectedErrors;
    private long _droppedWatches;
    private long _delayedRequests;
    private long _forbiddenRequests;

    /// <summary>Seconds announced in <c>Retry-After</c> (and <c>details.retryAfterSeconds</c>) of injected 429s.</summary>
    public int RetryAfterSeconds { get; set; } = 1;

    /// <summary>How many error responses were injected.</summary>
    public long InjectedErrors => Interlocked.Read(ref _injectedErrors);

    /// <summary>How many watch streams were closed by fault injection.</summary>
    public long DroppedWatches => Interlocked.Read(ref _droppedWatches);

    /// <summary>How many requests were delayed.</summary>
    public long DelayedRequests => Interlocked.Read(ref _delayedRequests);

    /// <summary>How many requests were answered 403 by a <see cref="Forbid"/> rule (also counted in <see cref="InjectedErrors"/>).</summary>
    public long ForbiddenRequests => Interlocked.Read(ref _forbiddenRequests);

    /// <summary>
    /// Answers every request for <paramref name="resource"/> (plural, e.g. <c>secrets</c>, <c>deployments</c>,
    /// <c>connectionpools</c>) with one of <paramref name="verbs"/> (get, list, watch, create, update, patch, delete,
    /// deletecollection) with 403 Forbidden and the Status body the real API server's RBAC authorizer sends, until
    /// <see cref="Allow"/>: <c>secrets is forbidden: User "system:serviceaccount:x:y" cannot list resource "secrets" in API
    /// group "" at the cluster scope</c>. The message names <paramref name="namespace"/> (null: the cluster scope); the rule
    /// itself applies in every namespace (fault injection does not see the request's namespace).
    /// </summary>
    public void Forbid(string resource, IReadOnlyCollection<string> verbs, string user = "system:serviceaccount:sidepool-system:sidepool-operator", string? @namespace = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(resource);
        ArgumentOutOfRangeException.ThrowIfZero(verbs.Count);
        lock (_lock)
        {
            _forbidden.Add(new ForbiddenRule(resource, [.. verbs], user, @namespace));
        }
    }

    /// <summary>Removes every <see cref="Forbid"/> rule for <paramref name="resource"/>: its requests are served again.</summary>
    public void Allow(string resource)
    {
        lock (_lock)
        {
            _forbidden.RemoveAll(r => r.Resource == resource);
        }
    }

    /// <summary>
    /// Fails the next <paramref name="count"/> matching requests with <paramref name="statusCode"/>.
    /// <paramref name="verb"/>: get, list, watch, create, update, patch, delete, deletecollection (null = any);
    /// <paramref name="resource"/>: plural resource name, optionally <c>/status</c> (null = any).
    /// </summary>
    public void FailNext(int statusCode, int count = 1, string? verb = null, string? resource = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(statusCode, 400);
        lock (_lock)
        {
            _scripted.Add(new ScriptedFailure(statusCode, verb, resource) { Remaining = count });
        }
    }

    /// <summary>Fails each resource request with probability <paramref name="probability"/>, choosing one of <paramref name="statusCodes"/> (default 500).</summary>
    public void SetErrorRate(double probability, params int[] statusCodes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(probability, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(probability, 1);
        lock (_lock)
        {
            _errorRate = probability;
            _errorRateCodes = statusCodes.Length == 0 ? [500] : statusCodes.ToArray();
        }
    }

    /// <summary>Closes every watch stream (current and future) after it has sent <paramref name="events"/> events.</summary>
    public void DropWatchesAfter(int events)
    {
        lock (_lock)
        {
            _dropWatchesAfter = events;
        }
    }

    /// <summary>Closes every open watch stream now.</summary>
    public void DropAllWatches()
    {
        Action[] handlers;
        lock (_lock)
        {
            handlers = _dropAllHandlers.ToArray();
        }

        foreach (var handler in handlers)
        {
            handler();
        }
    }

    /// <summary>Delays every resource request (watch: before the stream starts) by <paramref name="delay"/>.</summary>
    public void Delay(TimeSpan delay)
    {
        lock (_lock)
        {
            _delay = delay;
        }
    }

    /// <summary>Removes every configured fault (counters are kept).</summary>
    public void Clear()
    {
        lock (_lock)
        {
            _scripted.Clear();
            _forbidden.Clear();
            _errorRate = 0;
            _errorRateCodes = [500];
            _delay = TimeSpan.Zero;
            _dropWatchesAfter = null;
        }
    }

    internal TimeSpan CurrentDelay()
    {
        lock (_lock)
        {
            if (_delay > TimeSpan.Zero)
            {
                Interlocked.Increment(ref _delayedRequests);
            }

            return _delay;
        }
    }

    internal int? WatchEventLimit
    {
        get
        {
            lock (_lock)
            {
                return _dropWatchesAfter;
            }
        }
    }

    /// <summary>The status code to fail this request with, if any.</summary>
    internal int? NextFailure(string verb, string resource)
    {
        lock (_lock)
        {
            if (_forbidden.Any(r => r.Matches(verb, resource)))
            {
                Interlocked.Increment(ref _injectedErrors);
                Interlocked.Increment(ref _forbiddenRequests);
                return 403;
            }

            foreach (var failure in _scripted)
            {
                if (failure.Remaining > 0 && (failure.Verb is null || failure.Verb == verb) && (failure.Resource is null || failure.Resource == resource))
                {
                    failure.Remaining--;
                    if (failure.Remaining == 0)
                    {
                        _scripted.Remove(failure);
                    }

                    Interlocked.Increment(ref _injectedErrors);
                    return failure.StatusCode;
                }
            }

            if (_errorRate > 0 && Random.Shared.NextDouble() < _errorRate)
            {
                Interlocked.Increment(ref _injectedErrors);
                return _errorRateCodes[Random.Shared.Next(_errorRateCodes.Length)];
            }

            return null;
        }
    }

    internal void WatchDropped() => Interlocked.Increment(ref _droppedWatches);

    internal IDisposable OnDropAll(Action handler)
    {
        lock (_lock)
        {
            _dropAllHandlers.Add(handler);
        }

        return new Registration(this, handler);
    }

    internal ApiException ToException(int statusCode, string resource, string verb) => statusCode switch
    {
        403 when ForbiddenRuleFor(resource, verb) is { } rule => rule.ToException(resource, verb),
        409 => new ApiException(409, "Conflict", $"Operation cannot be fulfilled on {resource}: injected conflict; please apply your changes to the latest version and try again", new JsonObjectBuilder().Kind(resource).Build()),
        429 => new ApiException(429, "TooManyRequests", "Too many requests, please try again later.", new JsonObjectBuilder().RetryAfter(RetryAfterSeconds).Build(), RetryAfterSeconds),
        500 => new ApiException(500, "InternalError", $"Internal error occurred: injected fault for {verb} {resource}", new JsonObjectBuilder().Cause("injected fault").Build()),
        503 => new ApiException(503, "ServiceUnavailable", "The server is currently unable to handle the request", null, RetryAfterSeconds),
        504 => new ApiException(504, "Timeout", $"The {verb} operation against {resource} could not be completed at this time, please try again."),
        404 => new ApiException(404, "NotFound", $"{resource} not found (injected)"),
        401 => new ApiException(401, "Unauthorized", "Unauthorized"),
        403 => new ApiException(403, "Forbidden", $"{resource} is forbidden: injected"),
        _ => new ApiException(statusCode, "InternalError", $"injected fault {statusCode}"),
    };

    /// <summary>The rule for a qualified resource (<c>secrets</c>, <c>deployments.apps</c>) and verb, if any.</summary>
    private ForbiddenRule? ForbiddenRuleFor(string qualifiedResource, string verb)
    {
        var plural = qualifiedResource.Split('.', 2)[0];
        lock (_lock)
        {
            return _forbidden.FirstOrDefault(r => r.Matches(verb, plural));
        }
    }

    private void Remove(Action handler)
    {
        lock (_lock)
        {
            _dropAllHandlers.Remove(handler);
        }
    }

    private sealed record ScriptedFailure(int StatusCode, string? Verb, string? Resource)
    {
        public int Remaining { get; set; }
    }

    private sealed record ForbiddenRule(string Resource, HashSet<string> Verbs, string User, string? Namespace)
    {
        public bool Matches(string verb, string resource) => resource == Resource && Verbs.Contains(verb);

        /// <summary>What kube-apiserver answers for an RBAC denial (<c>responsewriters.ForbiddenStatusError</c>).</summary>
        public ApiException ToException(string qualifiedResource, string verb)
        {
            var parts = qualifiedResource.Split('.', 2);
            var group = parts.Length > 1 ? parts[1] : string.Empty;
            var scope = Namespace is null ? "at the cluster scope" : $"in the namespace \"{Namespace}\"";
            return ApiException.Forbidden(group, parts[0], null, $"User \"{User}\" cannot {verb} resource \"{parts[0]}\" in API group \"{group}\" {scope}");
        }
    }

    private sealed class Registration(FaultInjector owner, Action handler) : IDisposable
    {
        public void Dispose() => owner.Remove(handler);
    }

    private sealed class JsonObjectBuilder
    {
        private readonly System.Text.Json.Nodes.JsonObject _details = [];

        public JsonObjectBuilder Kind(string kind)
        {
            _details["kind"] = kind;
            return this;
        }

        public JsonObjectBuilder RetryAfter(int seconds)
        {
            _details["causes"] = new System.Text.Json.Nodes.JsonArray(new System.Text.Json.Nodes.JsonObject { ["message"] = "the server has received too many requests and has asked us to try again later" });
            _details["retryAfterSeconds"] = seconds;
            return this;
        }

        public JsonObjectBuilder Cause(string message)
        {
            _details["causes"] = new System.Text.Json.Nodes.JsonArray(new System.Text.Json.Nodes.JsonObject { ["message"] = message });
            return this;
        }

        public System.Text.Json.Nodes.JsonObject Build() => _details;
    }
}
