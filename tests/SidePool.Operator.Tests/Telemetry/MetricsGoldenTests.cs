using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using SidePool.Crd;
using SidePool.Kubernetes.FakeServer;
using SidePool.Testing;
using Xunit;
using Xunit.Abstractions;

namespace SidePool.Operator.Tests.Telemetry;

/// <summary>
/// The operator's <c>/metrics</c> exposition, scraped from the <c>sidepool-operator</c> process (its own process, so
/// no other test publishes into it) against the fake API server, compared with golden files: once idle (leading, no
/// pool) and once exercised so that every family and every label value appears: reconciles that succeed, conflict
/// (an injected 409 on the status write) and fail (an injected 500); versions Current and Draining; a rollout and a
/// repair stamp; and every admission outcome and missing-sidecar reason, posted to the webhook as the API server would.
/// Names, types, labels and HELP text are compared byte for byte (see <see cref="MetricsExposition"/>).
/// The cluster is driven over plain HTTP with JSON, as kubectl would, not through our client.
/// </summary>
public sealed class MetricsGoldenTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Ns = "default";

    /// <summary>What Prometheus 2.x and 3.x send: the exposition must stay the 0.0.4 text format whatever it asks for.</summary>
    private const string PrometheusAccept = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

    private readonly TestDirectory _home = new("opmetrics");
    private FakeApiServer? _server;
    private HttpClient? _api;
    private ManagedProcess? _operator;
    private HttpClient? _metrics;
    private HttpClient? _webhook;
    private HttpClientHandler? _webhookHandler;

    private HttpClient Api => _api!;

    public async Task InitializeAsync()
    {
        _server = await FakeApiServer.StartAsync();
        _api = new HttpClient { BaseAddress = _server.BaseAddress };
        await PostAsync("apis/apiextensions.k8s.io/v1/customresourcedefinitions", CrdBuilder.Build());
        var kubeconfig = _server.WriteKubeconfig(Path.Combine(_home.FullPath, "kubeconfig"), Ns);
        var metricsPort = FreePort.Next();
        var webhookPort = FreePort.Next();
        _operator = ManagedProcess.Start(
            Binaries.Operator, // SIDEPOOL_OPERATOR_BINARY (e.g. the image's single-file publish), else the project's build
            [
                "--kubeconfig", kubeconfig, "--metrics-port", metricsPort.ToString(CultureInfo.InvariantCulture),
                "--webhook-port", webhookPort.ToString(CultureInfo.InvariantCulture), "--operator-namespace", Ns,
                "--identity", "golden", "--sidecar-mode", "native",
            ],
            new Dictionary<string, string> { ["HOME"] = _home.FullPath, ["POD_NAME"] = "", ["POD_NAMESPACE"] = "" },
            asServiceUser: false);
        _metrics = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{metricsPort}/") };
        _webhookHandler = new HttpClientHandler { ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator };
        _webhook = new HttpClient(_webhookHandler) { BaseAddress = new Uri($"https://127.0.0.1:{webhookPort}/") };
    }

    public async Task DisposeAsync()
    {
        if (_operator is not null)
        {
            await _operator.DisposeAsync();
        }

        _metrics?.Dispose();
        _webhook?.Dispose();
        _webhookHandler?.Dispose();
        _api?.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        _home.Dispose();
    }

    [Fact]
    public async Task TheExpositionMatchesTheGoldenFilesIdleAndWithEveryFamilyExercised()
    {
        try
        {
            await RunScenarioAsync();
        }
        catch
        {
            output.WriteLine("--- operator output\n" + _operator!.Output);
            throw;
        }
    }

    private async Task RunScenarioAsync()
    {
        // Idle: leading, caches synced, no pool.
        await EventuallyAsync(async () => (await _metrics!.GetAsync(new Uri("readyz", UriKind.Relative))).StatusCode == HttpStatusCode.OK, "ready");
        var idle = await ScrapeUntilAsync("leading", s => s.Contains("\nsidepool_operator_leader 1\n", StringComparison.Ordinal));
        AssertGolden("operator-metrics-idle.golden", idle, series => !series.StartsWith("sidepool_operator_cached_objects", StringComparison.Ordinal) && series != "sidepool_operator_queue_depth");
        await ReportIdleMemoryAsync();

        // Reconciles: the first status write conflicts, the next fails, then they succeed.
        _server!.Faults.FailNext(409, verb: "update", resource: "connectionpools/status");
        _server.Faults.FailNext(500, verb: "update", resource: "connectionpools/status");
        await PostAsync($"api/v1/namespaces/{Ns}/secrets", new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Secret",
            ["metadata"] = new JsonObject { ["name"] = "orders-creds" },
            ["stringData"] = new JsonObject { ["username"] = "app", ["password"] = "pw" },
        });
        await PostAsync(PoolsPath, Pool("orders", new JsonObject { ["app"] = "web" }, "orders-creds", repairMissing: true));
        await PostAsync(PoolsPath, Pool("twin", new JsonObject { ["twin"] = "yes" }, "orders-creds"));
        await PostAsync(PoolsPath, Pool("pending", new JsonObject { ["app"] = "pending" }, "pending-creds"));
        var v1 = await CurrentVersionAsync("orders", null);
        await CurrentVersionAsync("twin", null);

        // Every admission outcome and missing-sidecar reason, as the API server would ask.
        await AdmitAsync("CREATE", new JsonObject { ["app"] = "web", ["twin"] = "yes" }, new JsonObject()); // injected (orders), port_conflict (twin)
        await AdmitAsync("CREATE", new JsonObject { ["app"] = "other" }, new JsonObject()); // unchanged
        await AdmitAsync("CREATE", new JsonObject { ["app"] = "pending" }, new JsonObject()); // not_injected, not_rendered
        await AdmitAsync("CREATE", new JsonObject { ["app"] = "web" }, new JsonObject(), new JsonArray(new JsonObject { ["containerPort"] = 6432 })); // port_in_use
        await AdmitAsync("CREATE", new JsonObject { ["app"] = "web" }, new JsonObject { ["hostNetwork"] = true }); // host_network
        await AdmitAsync("CREATE", new JsonObject { ["app"] = "web" }, new JsonObject { ["volumes"] = new JsonArray(new JsonObject { ["name"] = "sidepool-orders-config", ["emptyDir"] = new JsonObject() }) }); // name_in_use
        await AdmitAsync("UPDATE", new JsonObject { ["app"] = "web" }, new JsonObject()); // ignored
        await AdmitAsync("CREATE", new JsonObject { ["app"] = 5 }, new JsonObject()); // error: a label that is not a string

        // A workload on v1 and one whose pod lacks the sidecar (repair), then a new version (rollout; v1 drains).
        var web = await WorkloadAsync("web", $"orders-{v1}", v1);
        var api = await WorkloadAsync("api", null, null);
        await EventuallyAsync(async () => (await TemplateAnnotationsAsync(api))?["sidepool.dev/repair-orders"] is not null, "repair stamp");
        await PatchAsync($"{PoolsPath}/orders", new JsonObject { ["spec"] = new JsonObject { ["sidecar"] = new JsonObject { ["port"] = 6433 } } });
        var v2 = await CurrentVersionAsync("orders", v1);
        await EventuallyAsync(async () => (await TemplateAnnotationsAsync(web))?["sidepool.dev/version-orders"]?.GetValue<string>() == v2, "rollout stamp");

        var exercised = await ScrapeUntilAsync(
            "every series",
            s => s.Contains("sidepool_operator_workload_stamps_total{reason=\"rollout\"} 1", StringComparison.Ordinal) &&
                s.Contains("sidepool_operator_workload_stamps_total{reason=\"repair\"} 1", StringComparison.Ordinal) &&
                s.Contains("sidepool_operator_versions{state=\"Draining\"} 1", StringComparison.Ordinal) &&
                s.Contains("sidepool_operator_reconciles_total{result=\"conflict\"}", StringComparison.Ordinal) &&
                s.Contains("sidepool_operator_reconciles_total{result=\"error\"}", StringComparison.Ordinal));
        AssertGolden("operator-metrics-exercised.golden", exercised, Deterministic);
        Assert.DoesNotContain("orders", exercised.Body, StringComparison.Ordinal); // labels never carry pool names
    }

    /// <summary>
    /// The idle operator's resident memory after ten more scrapes, a number to report (no assertion): written to the
    /// test output and to <c>$TMPDIR/sidepool-operator-rss.txt</c>.
    /// </summary>
    private async Task ReportIdleMemoryAsync()
    {
        for (var i = 0; i < 10; i++)
        {
            await ScrapeAsync();
            await Task.Delay(200);
        }

        var status = await File.ReadAllLinesAsync($"/proc/{_operator!.Id}/status");
        var memory = string.Join(", ", status.Where(l => l.StartsWith("VmRSS:", StringComparison.Ordinal) || l.StartsWith("VmHWM:", StringComparison.Ordinal)).Select(l => string.Join(' ', l.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))));
        output.WriteLine($"sidepool-operator idle: {memory}");
        await File.AppendAllTextAsync(Path.Combine(Path.GetTempPath(), "sidepool-operator-rss.txt"), $"{DateTimeOffset.UtcNow:O} idle: {memory}\n");
    }

    /// <summary>Series whose value the scenario decides (the rest depend on timing: durations, retries, queue, caches).</summary>
    private static bool Deterministic(string series) =>
        series.StartsWith("sidepool_operator_webhook_admissions_total", StringComparison.Ordinal) ||
        series.StartsWith("sidepool_operator_webhook_missing_sidecars_total", StringComparison.Ordinal) ||
        series == "sidepool_operator_webhook_duration_seconds_count" ||
        series.StartsWith("sidepool_operator_workload_stamps_total", StringComparison.Ordinal) ||
        series.StartsWith("sidepool_operator_versions", StringComparison.Ordinal) ||
        series is "sidepool_operator_leader" or "sidepool_operator_pools";

    private void AssertGolden(string file, (string Body, string ContentType) scrape, Func<string, bool> exact)
    {
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", scrape.ContentType);
        Assert.Empty(MetricsExposition.HistogramProblems(scrape.Body));
        var canonical = MetricsExposition.Canonical(scrape.Body, exact);
        var golden = File.ReadAllText(SourceTree.PathOf("tests", "SidePool.Operator.Tests", "Telemetry", file));
        var differences = MetricsExposition.Differences(golden, canonical);
        if (differences.Count > 0)
        {
            // Beside the test output, the canonical scrape in a file (to review a change, or to start a golden file).
            File.WriteAllText(Path.Combine(Path.GetTempPath(), file + ".actual"), canonical);
            output.WriteLine($"--- {file}: canonical scrape\n{canonical}--- raw scrape\n{scrape.Body}");
        }

        Assert.True(differences.Count == 0, $"{file}:\n" + string.Join("\n", differences));
    }

    private const string PoolsPath = $"apis/sidepool.dev/v1alpha1/namespaces/{Ns}/connectionpools";

    private static JsonObject Pool(string name, JsonObject matchLabels, string credentials, bool repairMissing = false) => new()
    {
        ["apiVersion"] = "sidepool.dev/v1alpha1",
        ["kind"] = "ConnectionPool",
        ["metadata"] = new JsonObject { ["name"] = name },
        ["spec"] = new JsonObject
        {
            ["selector"] = new JsonObject { ["matchLabels"] = matchLabels },
            ["backend"] = new JsonObject { ["host"] = "db.example", ["database"] = "orders", ["credentialsSecret"] = new JsonObject { ["name"] = credentials } },
            ["rollout"] = new JsonObject { ["repairMissing"] = repairMissing },
        },
    };

    private async Task<string> CurrentVersionAsync(string pool, string? not)
    {
        string? version = null;
        await EventuallyAsync(
            async () =>
            {
                version = (await GetAsync($"{PoolsPath}/{pool}"))["status"]?["currentVersion"]?.GetValue<string>();
                return version is not null && version != not;
            },
            $"{pool}: a current version other than {not ?? "none"}");
        return version!;
    }

    /// <summary>A Deployment, its ReplicaSet and one ready pod (app=web), the pod on <paramref name="version"/> of orders or without its sidecar.</summary>
    private async Task<string> WorkloadAsync(string name, string? versionSecret, string? version)
    {
        var labels = new JsonObject { ["app"] = "web" };
        var template = new JsonObject
        {
            ["metadata"] = new JsonObject { ["labels"] = labels.DeepClone() },
            ["spec"] = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = "app", ["image"] = "example/app:1" }) },
        };
        var deployment = await PostAsync($"apis/apps/v1/namespaces/{Ns}/deployments", new JsonObject
        {
            ["apiVersion"] = "apps/v1",
            ["kind"] = "Deployment",
            ["metadata"] = new JsonObject { ["name"] = name },
            ["spec"] = new JsonObject { ["replicas"] = 1, ["selector"] = new JsonObject { ["matchLabels"] = labels.DeepClone() }, ["template"] = template.DeepClone() },
        });
        var replicaSet = await PostAsync($"apis/apps/v1/namespaces/{Ns}/replicasets", new JsonObject
        {
            ["apiVersion"] = "apps/v1",
            ["kind"] = "ReplicaSet",
            ["metadata"] = new JsonObject { ["name"] = name + "-1", ["ownerReferences"] = Owner("apps/v1", "Deployment", deployment) },
            ["spec"] = new JsonObject { ["replicas"] = 1, ["selector"] = new JsonObject { ["matchLabels"] = labels.DeepClone() }, ["template"] = template.DeepClone() },
        });
        var podLabels = (JsonObject)labels.DeepClone();
        var spec = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = "app", ["image"] = "example/app:1" }) };
        var metadata = new JsonObject { ["name"] = name + "-1-a", ["labels"] = podLabels, ["ownerReferences"] = Owner("apps/v1", "ReplicaSet", replicaSet) };
        var status = new JsonObject
        {
            ["phase"] = "Running",
            ["conditions"] = new JsonArray(new JsonObject { ["type"] = "Ready", ["status"] = "True" }),
        };
        if (versionSecret is not null)
        {
            podLabels["pools.sidepool.dev/orders"] = version;
            metadata["annotations"] = new JsonObject { ["sidepool.dev/injected"] = $"orders={version}" };
            spec["volumes"] = new JsonArray(new JsonObject { ["name"] = "sidepool-orders-config", ["secret"] = new JsonObject { ["secretName"] = versionSecret } });
            spec["initContainers"] = new JsonArray(new JsonObject { ["name"] = "sidepool-orders", ["image"] = "ghcr.io/sidepool/sidecar:0.1.0", ["restartPolicy"] = "Always" });
            status["initContainerStatuses"] = new JsonArray(new JsonObject
            {
                ["name"] = "sidepool-orders",
                ["ready"] = true,
                ["restartCount"] = 0,
                ["image"] = "x",
                ["imageID"] = "",
                ["state"] = new JsonObject { ["running"] = new JsonObject() },
            });
        }

        await PostAsync($"api/v1/namespaces/{Ns}/pods", new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Pod", ["metadata"] = metadata, ["spec"] = spec });
        await PatchAsync($"api/v1/namespaces/{Ns}/pods/{name}-1-a/status", new JsonObject { ["status"] = status });
        return name;
    }

    private async Task<JsonObject?> TemplateAnnotationsAsync(string deployment) =>
        (await GetAsync($"apis/apps/v1/namespaces/{Ns}/deployments/{deployment}"))["spec"]?["template"]?["metadata"]?["annotations"] as JsonObject;

    private static JsonArray Owner(string apiVersion, string kind, JsonObject owner) => new(new JsonObject
    {
        ["apiVersion"] = apiVersion,
        ["kind"] = kind,
        ["name"] = owner["metadata"]!["name"]!.GetValue<string>(),
        ["uid"] = owner["metadata"]!["uid"]!.GetValue<string>(),
        ["controller"] = true,
    });

    private async Task AdmitAsync(string operation, JsonObject labels, JsonObject podSpec, JsonArray? ports = null)
    {
        var container = new JsonObject { ["name"] = "app", ["image"] = "example/app:1" };
        if (ports is not null)
        {
            container["ports"] = ports;
        }

        podSpec["containers"] = new JsonArray(container);
        var review = new JsonObject
        {
            ["apiVersion"] = "admission.k8s.io/v1",
            ["kind"] = "AdmissionReview",
            ["request"] = new JsonObject
            {
                ["uid"] = Guid.NewGuid().ToString(),
                ["kind"] = new JsonObject { ["group"] = "", ["version"] = "v1", ["kind"] = "Pod" },
                ["resource"] = new JsonObject { ["group"] = "", ["version"] = "v1", ["resource"] = "pods" },
                ["namespace"] = Ns,
                ["operation"] = operation,
                ["object"] = new JsonObject
                {
                    ["apiVersion"] = "v1",
                    ["kind"] = "Pod",
                    ["metadata"] = new JsonObject { ["generateName"] = "p-", ["namespace"] = Ns, ["labels"] = labels },
                    ["spec"] = podSpec,
                },
            },
        };
        using var content = new StringContent(review.ToJsonString(), Encoding.UTF8, "application/json");
        using var response = await _webhook!.PostAsync(new Uri("mutate-pods", UriKind.Relative), content);
        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.True(answer["response"]?["allowed"]?.GetValue<bool>() == true, answer.ToJsonString());
    }

    private async Task<(string Body, string ContentType)> ScrapeAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("metrics", UriKind.Relative));
        request.Headers.TryAddWithoutValidation("Accept", PrometheusAccept);
        using var response = await _metrics!.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadAsStringAsync(), response.Content.Headers.ContentType?.ToString() ?? "");
    }

    private async Task<(string Body, string ContentType)> ScrapeUntilAsync(string what, Func<string, bool> done)
    {
        (string Body, string ContentType) last = ("", "");
        await EventuallyAsync(
            async () =>
            {
                last = await ScrapeAsync();
                return done(last.Body);
            },
            what,
            () => "last scrape:\n" + last.Body);
        return last;
    }

    private async Task EventuallyAsync(Func<Task<bool>> done, string what, Func<string>? describe = null)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        Exception? lastError = null;
        while (DateTime.UtcNow < deadline)
        {
            Assert.False(_operator!.HasExited, $"the operator exited while waiting for {what}");
            try
            {
                if (await done())
                {
                    return;
                }
            }
            catch (HttpRequestException ex)
            {
                lastError = ex;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"not reached: {what}; {lastError?.Message} {describe?.Invoke()}");
    }

    private async Task<JsonObject> GetAsync(string path)
    {
        using var response = await Api.GetAsync(new Uri(path, UriKind.Relative));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {text}");
        return (JsonObject)JsonNode.Parse(text)!;
    }

    private async Task<JsonObject> PostAsync(string path, JsonNode body)
    {
        using var content = new StringContent(body.ToJsonString(), Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await Api.PostAsync(new Uri(path, UriKind.Relative), content);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"POST {path}: {(int)response.StatusCode} {text}");
        return (JsonObject)JsonNode.Parse(text)!;
    }

    private async Task PatchAsync(string path, JsonObject body)
    {
        using var content = new StringContent(body.ToJsonString(), Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/merge-patch+json");
        using var response = await Api.PatchAsync(new Uri(path, UriKind.Relative), content);
        Assert.True(response.IsSuccessStatusCode, $"PATCH {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }
}
