using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using SidePool.Kubernetes.FakeServer.Tests.Support;
using static SidePool.Kubernetes.FakeServer.Tests.Support.WebhookConfigurations;

namespace SidePool.Kubernetes.FakeServer.Tests;

/// <summary>Mutating admission webhooks called by the fake API server over real HTTPS.</summary>
public sealed class WebhookAdmissionTests
{
    private const string Pods = "/api/v1/namespaces/default/pods";

    [Fact]
    public async Task A_pod_create_is_patched_by_the_webhook_which_receives_a_complete_admission_review()
    {
        using var ca = new TestCertificateAuthority();
        await using var webhook = await WebhookServer.StartAsync(ca.IssueServing());
        webhook.Handle("/mutate", review => new WebhookAnswer(Patch: AddLabelPatch(review, "sidepool.dev/injected", "true", addSidecar: true), Warnings: ["sidecar injected"]));
        await using var server = await FakeApiServer.StartAsync();
        using var api = new ApiClient(server);
        await api.CreateAsync(Configurations, Configuration("sidepool", Hook("inject.sidepool.dev", webhook.Url("/mutate"), ca.CaBundle)));

        var response = await api.SendAsync(HttpMethod.Post, Pods + "?fieldManager=tester", Pod(generateName: "web-"));

        Assert.Equal(HttpStatusCode.Created, response.Status);
        Assert.Equal("true", response.Body["metadata"]!["labels"]!["sidepool.dev/injected"]!.GetValue<string>());
        Assert.Equal(["app", "pgbouncer"], response.Body["spec"]!["containers"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()));
        Assert.Equal(["299 - \"sidecar injected\""], response.Headers.GetValues("Warning"));
        var name = response.Body["metadata"]!["name"]!.GetValue<string>();
        var stored = await api.GetAsync($"{Pods}/{name}");
        Assert.Equal("pgbouncer", stored.Body["spec"]!["containers"]![1]!["name"]!.GetValue<string>());

        var request = Assert.Single(webhook.ReceivedAt("/mutate"))["request"]!;
        Assert.Equal("""{"group":"","version":"v1","kind":"Pod"}""", request["kind"]!.ToJsonString());
        Assert.Equal("""{"group":"","version":"v1","resource":"pods"}""", request["resource"]!.ToJsonString());
        Assert.Equal(request["kind"]!.ToJsonString(), request["requestKind"]!.ToJsonString());
        Assert.Equal("CREATE", request["operation"]!.GetValue<string>());
        Assert.Equal("default", request["namespace"]!.GetValue<string>());
        Assert.Null(request["name"]);
        Assert.Equal("web-", request["object"]!["metadata"]!["generateName"]!.GetValue<string>());
        Assert.Null(request["object"]!["metadata"]!["name"]);
        Assert.Null(request["object"]!["metadata"]!["uid"]);
        Assert.Equal("default", request["object"]!["metadata"]!["namespace"]!.GetValue<string>());
        Assert.True(request.AsObject().ContainsKey("oldObject"));
        Assert.Null(request["oldObject"]);
        Assert.False(request["dryRun"]!.GetValue<bool>());
        Assert.Equal("CreateOptions", request["options"]!["kind"]!.GetValue<string>());
        Assert.Equal("tester", request["options"]!["fieldManager"]!.GetValue<string>());
        Assert.Equal("kubernetes-admin", request["userInfo"]!["username"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(request["uid"]!.GetValue<string>()));
    }

    [Fact]
    public async Task A_certificate_from_another_ca_fails_closed_with_the_apiserver_wording_or_is_ignored()
    {
        using var trusted = new TestCertificateAuthority("trusted");
        using var other = new TestCertificateAuthority("other");
        await using var webhook = await WebhookServer.StartAsync(other.IssueServing());
        webhook.Handle("/mutate", review => new WebhookAnswer(Patch: AddLabelPatch(review, "injected", "true")));
        await using var server = await FakeApiServer.StartAsync();
        using var api = new ApiClient(server);
        await api.CreateAsync(Configurations, Configuration("strict", Hook("strict.sidepool.dev", webhook.Url("/mutate"), trusted.CaBundle)));

        var refused = await api.PostAsync(Pods, Pod(name: "p1"));

        Assert.Equal(HttpStatusCode.InternalServerError, refused.Status);
        Assert.Equal("InternalError", refused.Reason);
        var expected = $"failed calling webhook \"strict.sidepool.dev\": failed to call webhook: Post \"{webhook.Url("/mutate")}?timeout=10s\": tls: failed to verify certificate: x509: certificate signed by unknown authority";
        Assert.Equal("Internal error occurred: " + expected, refused.Body["message"]!.GetValue<string>());
        Assert.Equal(expected, refused.Body["details"]!["causes"]![0]!["message"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync(Pods + "/p1")).Status);
        Assert.Empty(webhook.Received);

        await api.PatchAsync(Configurations + "/strict", "application/json-patch+json", """[{"op":"replace","path":"/webhooks/0/failurePolicy","value":"Ignore"}]""");
        var admitted = await api.PostAsync(Pods, Pod(name: "p2"));
        Assert.Equal(HttpStatusCode.Created, admitted.Status);
        Assert.Null(admitted.Body["metadata"]!["labels"]);
    }

    [Fact]
    public async Task A_matching_ca_bundle_is_required_even_for_a_certificate_the_system_would_not_trust_either()
    {
        using var ca = new TestCertificateAuthority();
        await using var webhook = await WebhookServer.StartAsync(ca.IssueServing());
        webhook.Handle("/mutate", review => new WebhookAnswer(Patch: AddLabelPatch(review, "injected", "true")));
        await using var server = await FakeApiServer.StartAsync();
        using var api = new ApiClient(server);
        await api.CreateAsync(Configurations, Configuration("no-bundle", Hook("nobundle.sidepool.dev", webhook.Url("/mutate"), caBundle: null)));

        var refused = await api.PostAsync(Pods, Pod(name: "p"));

        Assert.Equal(HttpStatusCode.InternalServerError, refused.Status);
        Assert.EndsWith("tls: failed to verify certificate: x509: certificate signed by unknown authority", refused.Body["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_slow_webhook_times_out_after_timeoutSeconds()
    {
        using var ca = new TestCertificateAuthority();
        await using var webhook = await WebhookServer.StartAsync(ca.IssueServing());
        using var release = new CancellationTokenSource();
        webhook.Handle("/slow", async _ =>
        {
            await Task.Delay(TimeSpan.FromSeconds(20), release.Token).ContinueWith(_ => { }, TaskScheduler.Default);
            return WebhookAnswer.Allow();
        });
        await using var server = await FakeApiServer.StartAsync();
        using var api = new ApiClient(server);
        await api.CreateAsync(Configurations, Configuration("slow", Hook("slow.sidepool.dev", webhook.Url("/slow"), ca.CaBundle, timeoutSeconds: 1)));

        var clock = Stopwatch.StartNew();
        var refused = await api.PostAsync(Pods, Pod(name: "p"));
        clock.Stop();
        await release.CancelAsync();

        Assert.Equal(HttpStatusCode.InternalServerError, refused.Status);
        Assert.Equal($"Internal error occurred: failed calling webhook \"slow.sidepool.dev\": failed to call webhook: Post \"{webhook.Url("/slow")}?timeout=1s\": context deadline exceeded", refused.Body["message"]!.GetValue<string>());
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(15));
    }

    [Fact]
    public async Task Namespace_and_object_selectors_decide_which_pods_the_webhook_sees()
    {
        using var ca = new TestCertificateAuthority();
        await using var webhook = await WebhookServer.StartAsync(ca.IssueServing());
        webhook.Handle("/mutate", review => new WebhookAnswer(Patch: AddLabelPatch(review, "injected", "true")));
        await using var server = await FakeApiServer.StartAsync();
        using var api = new ApiClient(server);
        await api.CreateAsync("/api/v1/namespaces", new JsonObject { ["metadata"] = new JsonObject { ["name"] = "opted-in", ["labels"] = new JsonObject { ["sidepool.dev/inject"] = "enabled" } } });
        await api.CreateAsync("/api/v1/namespaces", new JsonObject { ["metadata"] = new JsonObject { ["name"] = "plain" } });
        var hook = Hook("selective.sidepool.dev", webhook.Url("/mutate"), ca.CaBundle);
        hook["namespaceSelector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["sidepool.dev/inject"] = "enabled" } };
        hook["objectSelector"] = new JsonObject
        {
            ["matchExpressions"] = new JsonArray(new JsonObject { ["key"] = "sidepool.dev/skip", ["operator"] = "DoesNotExist" }),
        };
        await api.CreateAsync(Configurations, Configuration("selective", hook));

        var inOptedIn = await api.CreateAsync("/api/v1/namespaces/opted-in/pods", Pod(name: "a"));
        var skipped = await api.CreateAsync("/api/v1/namespaces/opted-in/pods", Pod(name: "b", labels: new JsonObject { ["sidepool.dev/skip"] = "yes" }));
        var inPlain = await api.CreateAsync("/api/v1/namespaces/plain/pods", Pod(name: "c"));

        Assert.Equal("true", inOptedIn["metadata"]!["labels"]!["injected"]!.GetValue<string>());
        Assert.Null(skipped["metadata"]!["labels"]!["injected"]);
        Assert.Null(inPlain["metadata"]!["labels"]);
        var seen = Assert.Single(webhook.Received);
        Assert.Equal("opted-in", seen.Review["request"]!["namespace"]!.GetValue<string>());
    }

    [Fact]
    public async Task Match_conditions_exclude_requests_and_an_expression_outside_the_subset_fails_loudly()
    {
        using var ca = new TestCertificateAuthority();
        await using var webhook = await WebhookServer.StartAsync(ca.IssueServing());
        webhook.Handle("/mutate", review => new WebhookAnswer(Patch: AddLabelPatch(review, "injected", "true")));
        await using var server = await FakeApiServer.StartAsync();
        using var api = new ApiClient(server);
        var hook = Hook("conditional.sidepool.dev", webhook.Url("/mutate"), ca.CaBundle);
        hook["matchConditions"] = new JsonArray(
            new JsonObject { ["name"] = "not-opted-out", ["expression"] = "!has(object.metadata.labels) || !('sidepool.dev/skip' in object.metadata.labels)" },
            new JsonObject { ["name"] = "not-kube-system", ["expression"] = "request.namespace != 'kube-system' && request.userInfo.username == 'kubernetes-admin'" });
        await api.CreateAsync(Configurations, Configuration("conditional", hook.DeepClone().AsObject()));

        var called = await api.CreateAsync(Pods, Pod(name: "a"));
        var excluded = await api.CreateAsync(Pods, Pod(name: "b", labels: new JsonObject { ["sidepool.dev/skip"] = "true" }));
        var system = await api.CreateAsync("/api/v1/namespaces/kube-system/pods", Pod(name: "c"));

        Assert.Equal("true", called["metadata"]!["labels"]!["injected"]!.GetValue<string>());
        Assert.Null(excluded["metadata"]!["labels"]!["injected"]);
        Assert.Null(system["metadata"]!["labels"]);
        Assert.Single(webhook.Received);

        hook["matchConditions"] = new JsonArray(new JsonObject { ["name"] = "method", ["expression"] = "object.metadata.name.startsWith('x')" });
        await api.PutAsync(Configurations + "/conditional", Configuration("conditional", hook.DeepClone().AsObject()));
        var refused = await api.PostAsync(Pods, Pod(name: "d"));
        Assert.Equal(HttpStatusCode.Forbidden, refused.Status);
        Assert.StartsWith("pods \"d\" is forbidden: expression 'object.metadata.name.startsWith('x')' is outside the CEL subset", refused.Body["message"]!.GetValue<string>(), StringComparison.Ordinal);

        hook["failurePolicy"] = "Ignore";
        await api.PutAsync(Configurations + "/conditional", Configuration("conditional", hook.DeepClone().AsObject()));
        var ignored = await api.CreateAsync(Pods, Pod(name: "e"));
        Assert.Null(ignored["metadata"]!["labels"]);
        Assert.Single(webhook.Received);
    }

    [Fact]
    public async Task A_match_condition_that_errors_at_run_time_follows_the_failure_policy()
    {
        using var ca = new TestCertificateAuthority();
        await using var webhook = await WebhookServer.StartAsync(ca.IssueServing());
        webhook.Handle("/mutate", _ => WebhookAnswer.Allow());
        await using var server = await FakeApiServer.StartAsync();
        using var api = new ApiClient(server);
        var hook = Hook("erroring.sidepool.dev", webhook.Url("/mutate"), ca.CaBundle);
        hook["matchConditions"] = new JsonArray(new JsonObject { ["name"] = "label", ["expression"] = "object.metadata.labels['team'] == 'db'" });
        await api.CreateAsync(Configurations, Configuration("erroring", hook));

        var refused = await api.PostAsync(Pods, Pod(name: "nolabels"));
        var admitted = await api.PostAsync(Pods, Pod(name: "db", labels: new JsonObject { ["team"] = "db" }));

        Assert.Equal(HttpStatusCode.Forbidden, refused.Status);
        Assert.Equal("pods \"nolabels\" is forbidden: expression 'object.metadata.labels['team'] == 'db'' resulted in error: no such key: labels", refused.Body["message"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Created, admitted.Status);
        Assert.Single(webhook.Received);
    }

    [Fact]
    public async Task Dry_run_calls_webhooks_without_side_effects_stores_nothing_and_refuses_webhooks_that_have_some()
    {
        using var ca = new TestCertificateAuthority();
        await using var webhook = await WebhookServer.StartAsync(ca.IssueServing());
        webhook.Handle("/mutate", review => new WebhookAnswer(Patch: AddLabelPatch(review, "injected", "true")));
        await using var server = await FakeApiServer.StartAsync();
        using var api = new ApiClient(server);
        await api.CreateAsync(Configurations, Configuration("pure", Hook("pure.sidepool.dev", webhook.Url("/mutate"), ca.CaBundle)));

        var dry = await api.PostAsync(Pods + "?dryRun=All", Pod(name: "dry"));

        Assert.Equal(HttpStatusCode.Created, dry.Status);
        Assert.Equal("true", dry.Body["metadata"]!["labels"]!["injected"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync(Pods + "/dry")).Status);
        var request = Assert.Single(webhook.Received).Review["request"]!;
        Assert.True(request["dryRun"]!.GetValue<bool>());
        Assert.Equal("""["All"]""", request["options"]!["dryRun"]!.ToJsonString());

        await api.DeleteAsync(Configurations + "/pure");
        await api.CreateAsync(Configurations, Configuration("effects", Hook("effects.sidepool.dev", webhook.Url("/mutate"), ca.CaBundle, failurePolicy: "Ignore", sideEffects: "Some")));
        var refused = await api.PostAsync(Pods + "?dryRun=All", Pod(name: "dry2"));
        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Equal("admission webhook \"effects.sidepool.dev\" does not support dry run", refused.Body["message"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Created, (await api.PostAsync(Pods, Pod(name: "real"))).Status);
        Assert.Equal(2, webhook.Received.Count);
    }

    [Fact]
    public async Task A_denial_is_forbidden_with_the_webhook_message_and_warnings_still_arrive()
    {
        using var ca = new TestCertificateAuthority();
        await using var webhook = await WebhookServer.StartAsync(ca.IssueServing());
        webhook.Handle("/deny", _ => new WebhookAnswer(Allowed: false, Status: new JsonObject { ["message"] = "pool \"orders\" is not ready" }, Warnings: ["check the pool"]));
        await using var server = await FakeApiServer.StartAsync();
        using var api = new ApiClient(server);
        await api.CreateAsync(Configurations, Configuration("deny", Hook("deny.sidepool.dev", webhook.Url("/deny"), ca.CaBundle)));

        var refused = await api.PostAsync(Pods, Pod(generateName: "web-"));

        Assert.Equal(HttpStatusCode.Forbidden, refused.Status);
        Assert.Equal("Forbidden", refused.Reason);
        Assert.Equal("pods \"Unknown\" is forbidden: admission webhook \"deny.sidepool.dev\" denied the request: pool \"orders\" is not ready", refused.Body["message"]!.GetValue<string>());
        Assert.Equal(["299 - \"check the pool\""], refused.Headers.GetValues("Warning"));
    }

    [Fact]
    public async Task An_if_needed_webhook_is_reinvoked_once_after_a_later_webhook_changed_the_object()
    {
        using var ca = new TestCertificateAuthority();
        await using var webhook = await WebhookServer.StartAsync(ca.IssueServing());
        webhook.Handle("/first", review =>
        {
            var labels = review["request"]!["object"]!["metadata"]!["labels"] as JsonObject;
            var seen = labels?.ContainsKey("second") == true ? "saw-second" : "alone";
            return new WebhookAnswer(Patch: AddLabelPatch(review, "first", seen));
        });
        webhook.Handle("/second", review => new WebhookAnswer(Patch: AddLabelPatch(review, "second", "yes")));
        await using var server = await FakeApiServer.StartAsync();
        using var api = new ApiClient(server);
        var first = Hook("first.sidepool.dev", webhook.Url("/first"), ca.CaBundle);
        first["reinvocationPolicy"] = "IfNeeded";
        await api.CreateAsync(Configurations, Configuration("a-first", first));
        await api.CreateAsync(Configurations, Configuration("b-second", Hook("second.sidepool.dev", webhook.Url("/second"), ca.CaBundle)));

        var created = await api.CreateAsync(Pods, Pod(name: "p"));

        Assert.Equal(["/first", "/second", "/first"], webhook.Received.Select(r => r.Path));
        Assert.Equal("saw-second", created["metadata"]!["labels"]!["first"]!.GetValue<string>());
        Assert.Equal("yes", created["metadata"]!["labels"]!["second"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_service_reference_is_resolved_by_the_option_and_its_certificate_must_name_the_service()
    {
        using var ca = new TestCertificateAuthority();
        await using var good = await WebhookServer.StartAsync(ca.IssueServing("sidepool-webhook.sidepool-system.svc"));
        await using var wrongName = await WebhookServer.StartAsync(ca.IssueServing("elsewhere.svc"));
        good.Handle("/mutate-pods", review => new WebhookAnswer(Patch: AddLabelPatch(review, "injected", "true")));
        wrongName.Handle("/mutate-pods", review => new WebhookAnswer(Patch: AddLabelPatch(review, "injected", "true")));
        var target = good.BaseAddress;
        await using var server = await FakeApiServer.StartAsync(new FakeApiServerOptions
        {
            WebhookServiceResolver = service => service is { NamespaceProperty: "sidepool-system", Name: "sidepool-webhook", Port: 443 } ? target : null,
        });
        using var api = new ApiClient(server);
        var hook = Hook("svc.sidepool.dev", "unused", ca.CaBundle);
        hook["clientConfig"] = new JsonObject
        {
            ["service"] = new JsonObject { ["namespace"] = "sidepool-system", ["name"] = "sidepool-webhook", ["path"] = "/mutate-pods" },
            ["caBundle"] = ca.CaBundle,
        };
        await api.CreateAsync(Configurations, Configuration("svc", hook));

        var created = await api.CreateAsync(Pods, Pod(name: "a"));
        Assert.Equal("true", created["metadata"]!["labels"]!["injected"]!.GetValue<string>());
        var stored = await api.GetAsync(Configurations + "/svc");
        Assert.Equal(443, stored.Body["webhooks"]![0]!["clientConfig"]!["service"]!["port"]!.GetValue<int>());
        Assert.Equal(10, stored.Body["webhooks"]![0]!["timeoutSeconds"]!.GetValue<int>());

        target = wrongName.BaseAddress;
        var refused = await api.PostAsync(Pods, Pod(name: "b"));
        Assert.Equal(HttpStatusCode.InternalServerError, refused.Status);
        Assert.Equal(
            "Internal error occurred: failed calling webhook \"svc.sidepool.dev\": failed to call webhook: Post \"https://sidepool-webhook.sidepool-system.svc:443/mutate-pods?timeout=10s\": tls: failed to verify certificate: x509: certificate is valid for localhost, elsewhere.svc, 127.0.0.1, not sidepool-webhook.sidepool-system.svc",
            refused.Body["message"]!.GetValue<string>());

        target = null!;
        var unresolved = await api.PostAsync(Pods, Pod(name: "c"));
        Assert.Contains("Post \"https://sidepool-webhook.sidepool-system.svc:443/mutate-pods?timeout=10s\": service \"sidepool-webhook\" not found", unresolved.Body["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Update_rules_see_the_old_object_and_create_only_webhooks_are_not_called_on_update()
    {
        using var ca = new TestCertificateAuthority();
        await using var webhook = await WebhookServer.StartAsync(ca.IssueServing());
        webhook.Handle("/create", review => new WebhookAnswer(Patch: AddLabelPatch(review, "created-by-hook", "true")));
        webhook.Handle("/update", review => new WebhookAnswer(Patch: AddLabelPatch(review, "updated-by-hook", "true")));
        await using var server = await FakeApiServer.StartAsync();
        using var api = new ApiClient(server);
        await api.CreateAsync(Configurations, Configuration("create", Hook("create.sidepool.dev", webhook.Url("/create"), ca.CaBundle, resources: "configmaps")));
        await api.CreateAsync(Configurations, Configuration("update", Hook("update.sidepool.dev", webhook.Url("/update"), ca.CaBundle, operations: "UPDATE", resources: "configmaps")));
        await api.CreateAsync(Objects.ConfigMaps, Objects.ConfigMap("cm"));

        var patched = await api.PatchAsync(Objects.ConfigMaps + "/cm", "application/merge-patch+json", """{"data":{"key":"new"}}""");

        Assert.Equal(HttpStatusCode.OK, patched.Status);
        Assert.Equal("true", patched.Body["metadata"]!["labels"]!["updated-by-hook"]!.GetValue<string>());
        Assert.Equal("true", patched.Body["metadata"]!["labels"]!["created-by-hook"]!.GetValue<string>());
        Assert.Equal(["/create", "/update"], webhook.Received.Select(r => r.Path));
        var update = webhook.ReceivedAt("/update")[0]["request"]!;
        Assert.Equal("UPDATE", update["operation"]!.GetValue<string>());
        Assert.Equal("cm", update["name"]!.GetValue<string>());
        Assert.Equal("value", update["oldObject"]!["data"]!["key"]!.GetValue<string>());
        Assert.Equal("new", update["object"]!["data"]!["key"]!.GetValue<string>());
        Assert.Equal("UpdateOptions", update["options"]!["kind"]!.GetValue<string>());
    }

    [Fact]
    public async Task Webhook_warnings_are_printed_by_kubectl_create_and_apply()
    {
        using var ca = new TestCertificateAuthority();
        await using var webhook = await WebhookServer.StartAsync(ca.IssueServing());
        webhook.Handle("/mutate", review => new WebhookAnswer(Patch: AddLabelPatch(review, "injected", "true"), Warnings: ["pod \"web\" got the pgbouncer sidecar"]));
        await using var server = await FakeApiServer.StartAsync();
        using var api = new ApiClient(server);
        using var kubectl = new Kubectl(server);
        await api.CreateAsync(Configurations, Configuration("warn", Hook("warn.sidepool.dev", webhook.Url("/mutate"), ca.CaBundle)));
        var file = kubectl.WriteFile("pod.yaml", """
            apiVersion: v1
            kind: Pod
            metadata:
              name: web
            spec:
              containers:
              - name: app
                image: app:1
            """);

        var applied = await kubectl.RunAsync("apply", "-f", file);
        Assert.True(applied.ExitCode == 0, applied.StandardError);
        Assert.Contains("Warning: pod \"web\" got the pgbouncer sidecar", applied.StandardError, StringComparison.Ordinal);
        Assert.Contains("pod/web created", applied.StandardOutput, StringComparison.Ordinal);

        kubectl.WriteFile("pod2.yaml", File.ReadAllText(file).Replace("name: web", "name: web2", StringComparison.Ordinal));
        var created = await kubectl.RunAsync("create", "-f", System.IO.Path.Combine(kubectl.WorkingDirectory, "pod2.yaml"));
        Assert.True(created.ExitCode == 0, created.StandardError);
        Assert.Contains("Warning: pod \"web\" got the pgbouncer sidecar", created.StandardError, StringComparison.Ordinal);
        var stored = await api.GetAsync(Pods + "/web2");
        Assert.Equal("true", stored.Body["metadata"]!["labels"]!["injected"]!.GetValue<string>());
    }

    [Fact]
    public async Task Kubectl_scale_sends_the_scale_subresource_to_webhooks_that_ask_for_it()
    {
        using var ca = new TestCertificateAuthority();
        await using var webhook = await WebhookServer.StartAsync(ca.IssueServing());
        webhook.Handle("/scale", review => new WebhookAnswer(Patch: new JsonArray(new JsonObject { ["op"] = "replace", ["path"] = "/spec/replicas", ["value"] = 2 })));
        await using var server = await FakeApiServer.StartAsync();
        using var api = new ApiClient(server);
        using var kubectl = new Kubectl(server, "default");
        var hook = Hook("cap.sidepool.dev", webhook.Url("/scale"), ca.CaBundle, operations: "UPDATE", resources: "deployments/scale");
        hook["rules"]![0]!["apiGroups"] = new JsonArray("apps");
        await api.CreateAsync(Configurations, Configuration("cap", hook));
        await api.CreateAsync(Workloads.Deployments, Workloads.Deployment("web", 1));

        await kubectl.RunOkAsync("scale", "deployment", "web", "--replicas=9");

        var stored = await api.GetAsync($"{Workloads.Deployments}/web");
        Assert.Equal(2, stored.Body["spec"]!["replicas"]!.GetValue<int>());
        var request = Assert.Single(webhook.Received).Review["request"]!;
        Assert.Equal("""{"group":"autoscaling","version":"v1","kind":"Scale"}""", request["kind"]!.ToJsonString());
        Assert.Equal("""{"group":"apps","version":"v1","resource":"deployments"}""", request["resource"]!.ToJsonString());
        Assert.Equal("scale", request["subResource"]!.GetValue<string>());
        Assert.Equal(9, request["object"]!["spec"]!["replicas"]!.GetValue<int>());
        Assert.Equal(1, request["oldObject"]!["spec"]!["replicas"]!.GetValue<int>());
    }

    [Fact]
    public async Task An_equivalent_version_of_a_custom_resource_matches_a_rule_for_the_other_version()
    {
        using var ca = new TestCertificateAuthority();
        await using var webhook = await WebhookServer.StartAsync(ca.IssueServing());
        webhook.Handle("/widgets", review => new WebhookAnswer(Patch: AddLabelPatch(review, "seen", "true")));
        await using var server = await FakeApiServer.StartAsync();
        using var api = new ApiClient(server);
        var crd = Objects.Crd("widgets", "Widget", "example.com");
        var v2 = crd["spec"]!["versions"]![0]!.DeepClone().AsObject();
        v2["name"] = "v2";
        v2["storage"] = false;
        crd["spec"]!["versions"]!.AsArray().Add(v2);
        await api.CreateAsync("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd);
        var hook = Hook("widgets.example.com", webhook.Url("/widgets"), ca.CaBundle, resources: "widgets");
        hook["rules"]![0]!["apiGroups"] = new JsonArray("example.com");
        var exact = hook.DeepClone().AsObject();
        exact["name"] = "exact.example.com";
        exact["matchPolicy"] = "Exact";
        await api.CreateAsync(Configurations, Configuration("widgets", hook, exact));

        var widget = Objects.Widget("w", 1);
        widget["apiVersion"] = "example.com/v2";
        var created = await api.CreateAsync("/apis/example.com/v2/namespaces/default/widgets", widget);

        Assert.Equal("example.com/v2", created["apiVersion"]!.GetValue<string>());
        Assert.Equal("true", created["metadata"]!["labels"]!["seen"]!.GetValue<string>());
        var request = Assert.Single(webhook.Received).Review["request"]!;
        Assert.Equal("v1", request["kind"]!["version"]!.GetValue<string>());
        Assert.Equal("v2", request["requestKind"]!["version"]!.GetValue<string>());
        Assert.Equal("example.com/v1", request["object"]!["apiVersion"]!.GetValue<string>());
    }
}
