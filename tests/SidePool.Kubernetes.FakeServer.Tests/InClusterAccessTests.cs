using System.Net;
using System.Text.Json.Nodes;
using SidePool.Kubernetes.FakeServer.Tests.Support;
using static SidePool.Kubernetes.FakeServer.Tests.Support.WebhookConfigurations;

namespace SidePool.Kubernetes.FakeServer.Tests;

/// <summary>What a pod needs to reach the API server (ServiceAccount admission, TokenRequest, kube-root-ca.crt) and webhook Services reached at their pods.</summary>
public sealed class InClusterAccessTests
{
    [Fact]
    public async Task A_webhook_Service_without_a_mapping_is_called_at_a_ready_pod_by_its_named_targetPort_and_fails_without_one()
    {
        using var ca = new TestCertificateAuthority();
        await using var webhook = await WebhookServer.StartAsync(ca.IssueServing("hook.webhooks.svc"));
        webhook.Handle("/mutate", review => new WebhookAnswer(Patch: AddLabelPatch(review, "injected", "true")));
        await using var server = await FakeApiServer.StartAsync();
        using var api = new ApiClient(server);
        await api.CreateAsync("/api/v1/namespaces", new JsonObject { ["metadata"] = new JsonObject { ["name"] = "webhooks" } });
        await api.CreateAsync("/api/v1/namespaces/webhooks/services", new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = "hook" },
            ["spec"] = new JsonObject
            {
                ["selector"] = new JsonObject { ["app"] = "hook" },
                ["ports"] = new JsonArray(new JsonObject { ["name"] = "https", ["port"] = 443, ["targetPort"] = "webhook" }),
            },
        });
        var backend = Pod(name: "hook-0", labels: new JsonObject { ["app"] = "hook" });
        backend["spec"]!["containers"]![0]!["ports"] = new JsonArray(new JsonObject { ["name"] = "webhook", ["containerPort"] = webhook.BaseAddress.Port });
        await api.CreateAsync("/api/v1/namespaces/webhooks/pods", backend);
        var hook = Hook("hook.example.com", "unused", ca.CaBundle);
        hook["clientConfig"] = new JsonObject
        {
            ["service"] = new JsonObject { ["namespace"] = "webhooks", ["name"] = "hook", ["path"] = "/mutate" },
            ["caBundle"] = ca.CaBundle,
        };
        await api.CreateAsync(Configurations, Configuration("hook", hook));

        var notReady = await api.PostAsync("/api/v1/namespaces/default/pods", Pod(name: "early"));
        await api.PatchAsync("/api/v1/namespaces/webhooks/pods/hook-0/status", "application/merge-patch+json", """{"status":{"podIP":"127.0.0.1","conditions":[{"type":"Ready","status":"True"}]}}""");
        var admitted = await api.PostAsync("/api/v1/namespaces/default/pods", Pod(name: "late"));

        Assert.Equal(HttpStatusCode.InternalServerError, notReady.Status);
        Assert.Equal(
            "Internal error occurred: failed calling webhook \"hook.example.com\": failed to call webhook: Post \"https://hook.webhooks.svc:443/mutate?timeout=10s\": no endpoints available for service \"hook\"",
            notReady.Body["message"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Created, admitted.Status);
        Assert.Equal("true", admitted.Body["metadata"]!["labels"]!["injected"]!.GetValue<string>());
        Assert.Single(webhook.ReceivedAt("/mutate"));
    }

    [Fact]
    public async Task Pods_get_the_service_account_volume_and_a_requested_token_authenticates_as_the_service_account()
    {
        using var certificate = TestCertificates.CreateServerCertificate();
        await using var server = await FakeApiServer.StartAsync(new FakeApiServerOptions
        {
            ServerCertificate = certificate,
            RequiredBearerToken = "admin-token",
            ServiceAccountTokens = true,
            AuthorizeWithRbac = true,
        });
        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true };
        using var api = new ApiClient(server, "admin-token", handler);
        await api.CreateAsync("/api/v1/namespaces", new JsonObject { ["metadata"] = new JsonObject { ["name"] = "apps" } });

        var account = await api.GetAsync("/api/v1/namespaces/apps/serviceaccounts/default");
        var rootCa = await api.GetAsync("/api/v1/namespaces/apps/configmaps/kube-root-ca.crt");
        var pod = await api.PostAsync("/api/v1/namespaces/apps/pods", Pod(name: "web"));
        var optedOut = Pod(name: "quiet");
        optedOut["spec"]!["automountServiceAccountToken"] = false;
        var quiet = await api.PostAsync("/api/v1/namespaces/apps/pods", optedOut);
        var missing = Pod(name: "lost");
        missing["spec"]!["serviceAccountName"] = "nobody";
        var refused = await api.PostAsync("/api/v1/namespaces/apps/pods", missing);
        var tokenRequest = await api.PostAsync("/api/v1/namespaces/apps/serviceaccounts/default/token", new JsonObject { ["apiVersion"] = "authentication.k8s.io/v1", ["kind"] = "TokenRequest", ["spec"] = new JsonObject { ["expirationSeconds"] = 3607 } });
        var token = tokenRequest.Body["status"]!["token"]!.GetValue<string>();
        using var asAccount = new ApiClient(server, token, new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true });
        var denied = await asAccount.GetAsync("/api/v1/namespaces/apps/secrets");
        using var forged = new ApiClient(server, "sbx.forged", new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true });
        var unknown = await forged.GetAsync("/api/v1/namespaces/apps/secrets");

        Assert.Equal(HttpStatusCode.OK, account.Status);
        Assert.Equal(certificate.ExportCertificatePem(), rootCa.Body["data"]!["ca.crt"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Created, pod.Status);
        Assert.Equal("default", pod.Body["spec"]!["serviceAccountName"]!.GetValue<string>());
        var volume = Assert.Single(pod.Body["spec"]!["volumes"]!.AsArray())!;
        Assert.Matches("^kube-api-access-[a-z0-9]{5}$", volume["name"]!.GetValue<string>());
        Assert.Equal(420, volume["projected"]!["defaultMode"]!.GetValue<int>());
        var sources = volume["projected"]!["sources"]!.AsArray();
        Assert.Equal(3607, sources[0]!["serviceAccountToken"]!["expirationSeconds"]!.GetValue<long>());
        Assert.Equal("token", sources[0]!["serviceAccountToken"]!["path"]!.GetValue<string>());
        Assert.Equal("kube-root-ca.crt", sources[1]!["configMap"]!["name"]!.GetValue<string>());
        Assert.Equal("metadata.namespace", sources[2]!["downwardAPI"]!["items"]![0]!["fieldRef"]!["fieldPath"]!.GetValue<string>());
        var mount = Assert.Single(pod.Body["spec"]!["containers"]![0]!["volumeMounts"]!.AsArray())!;
        Assert.Equal("/var/run/secrets/kubernetes.io/serviceaccount", mount["mountPath"]!.GetValue<string>());
        Assert.True(mount["readOnly"]!.GetValue<bool>());
        Assert.Equal(HttpStatusCode.Created, quiet.Status);
        Assert.Null(quiet.Body["spec"]!["volumes"]);
        Assert.Equal(HttpStatusCode.Forbidden, refused.Status);
        Assert.Equal("pods \"lost\" is forbidden: error looking up service account apps/nobody: serviceaccount \"nobody\" not found", refused.Body["message"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Created, tokenRequest.Status);
        Assert.Equal("TokenRequest", tokenRequest.Body["kind"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Forbidden, denied.Status);
        Assert.Contains("User \"system:serviceaccount:apps:default\" cannot list resource \"secrets\"", denied.Body["message"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.Status);
    }
}
