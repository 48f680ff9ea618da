using System.Net;
using System.Text.Json.Nodes;
using k8s.Models;
using SidePool.Kubernetes.FakeServer.Tests.Support;

namespace SidePool.Kubernetes.FakeServer.Tests;

/// <summary>
/// RBAC and OwnerReferencesPermissionEnforcement (FakeApiServerOptions.AuthorizeWithRbac) as kube-apiserver applies them:
/// roles applied with the real kubectl, requests made as a service account's token, the 403 bodies as the real server
/// writes them.
/// </summary>
public sealed class RbacAuthorizationTests
{
    private const string Token = "operator-token";
    private const string User = "system:serviceaccount:sidepool-system:sidepool-operator";

    private static Task<FakeApiServer> StartAsync() => FakeApiServer.StartAsync(new FakeApiServerOptions
    {
        AuthorizeWithRbac = true,
        BearerTokens = new Dictionary<string, V1UserInfo>
        {
            [Token] = new() { Username = User, Groups = ["system:serviceaccounts", "system:serviceaccounts:sidepool-system", "system:authenticated"] },
        },
    });

    private const string Roles = """
        apiVersion: v1
        kind: Namespace
        metadata: {name: sidepool-system}
        ---
        apiVersion: v1
        kind: Namespace
        metadata: {name: team-a}
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata: {name: reader}
        rules:
        - apiGroups: [""]
          resources: [pods]
          verbs: [get, list, watch]
        - apiGroups: [apps]
          resources: [deployments/status]
          verbs: [get]
        - apiGroups: [""]
          resources: [configmaps]
          verbs: [get, update]
          resourceNames: [settings]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRoleBinding
        metadata: {name: reader}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: reader}
        subjects:
        - {kind: ServiceAccount, name: sidepool-operator, namespace: sidepool-system}
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: Role
        metadata: {name: secrets, namespace: team-a}
        rules:
        - apiGroups: [""]
          resources: [secrets]
          verbs: ["*"]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: RoleBinding
        metadata: {name: secrets, namespace: team-a}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: secrets}
        subjects:
        - {kind: Group, name: "system:serviceaccounts:sidepool-system"}
        """;

    [Fact]
    public async Task Rules_allow_exactly_their_verbs_resources_names_and_namespaces()
    {
        await using var server = await StartAsync();
        using var kubectl = new Kubectl(server);
        await kubectl.RunOkAsync("apply", "-f", kubectl.WriteFile("rbac.yaml", Roles));
        using var api = new ApiClient(server, Token);

        // ClusterRoleBinding to a service account: everywhere
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/v1/pods")).Status);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/v1/namespaces/team-a/pods")).Status);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/v1/namespaces/default/pods?watch=true&timeoutSeconds=1")).Status);
        var create = await api.PostAsync("/api/v1/namespaces/default/pods", new JsonObject { ["metadata"] = new JsonObject { ["name"] = "p" } });
        Assert.Equal(HttpStatusCode.Forbidden, create.Status);
        Assert.Equal($"pods is forbidden: User \"{User}\" cannot create resource \"pods\" in API group \"\" in the namespace \"default\"", create.Body["message"]!.GetValue<string>());
        Assert.Equal("Forbidden", create.Reason);
        Assert.Equal("pods", create.Body["details"]!["kind"]!.GetValue<string>());
        Assert.Contains(create.Body["message"]!.GetValue<string>(), server.AuthorizationDenials);

        // a subresource is its own resource: deployments/status does not grant deployments
        var deployment = await api.GetAsync("/apis/apps/v1/namespaces/default/deployments/web");
        Assert.Equal(HttpStatusCode.Forbidden, deployment.Status);
        Assert.Equal($"deployments.apps \"web\" is forbidden: User \"{User}\" cannot get resource \"deployments\" in API group \"apps\" in the namespace \"default\"", deployment.Body["message"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync("/apis/apps/v1/namespaces/default/deployments/web/status")).Status);

        // resourceNames: that name only; a list is not covered unless it selects the name
        await new ApiClient(server).CreateAsync("/api/v1/namespaces/default/configmaps", new JsonObject { ["metadata"] = new JsonObject { ["name"] = "settings" } });
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/v1/namespaces/default/configmaps/settings")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await api.GetAsync("/api/v1/namespaces/default/configmaps/other")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await api.GetAsync("/api/v1/namespaces/default/configmaps")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await api.GetAsync("/api/v1/namespaces/default/configmaps?fieldSelector=metadata.name%3Dsettings")).Status);

        // RoleBinding to a group: only in its namespace, any verb ("*")
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/v1/namespaces/team-a/secrets")).Status);
        Assert.Equal(HttpStatusCode.Created, (await api.PostAsync("/api/v1/namespaces/team-a/secrets", new JsonObject { ["metadata"] = new JsonObject { ["name"] = "s" } })).Status);
        var elsewhere = await api.GetAsync("/api/v1/namespaces/default/secrets");
        Assert.Equal(HttpStatusCode.Forbidden, elsewhere.Status);
        var clusterWide = await api.GetAsync("/api/v1/secrets");
        Assert.Equal($"secrets is forbidden: User \"{User}\" cannot list resource \"secrets\" in API group \"\" at the cluster scope", clusterWide.Body["message"]!.GetValue<string>());

        // discovery needs no rule; the administrator (kubectl's default identity) is not limited
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/apis")).Status);
        await kubectl.RunOkAsync("get", "secrets", "-A");
    }

    [Fact]
    public async Task A_list_rule_with_resource_names_covers_a_watch_of_that_name_only_when_the_field_selector_names_it()
    {
        await using var server = await StartAsync();
        using var kubectl = new Kubectl(server);
        await kubectl.RunOkAsync("apply", "-f", kubectl.WriteFile("rbac.yaml", """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: {name: one-webhook}
            rules:
            - apiGroups: [admissionregistration.k8s.io]
              resources: [mutatingwebhookconfigurations]
              verbs: [list, watch]
              resourceNames: [sidepool]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRoleBinding
            metadata: {name: one-webhook}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: one-webhook}
            subjects:
            - {kind: User, name: "system:serviceaccount:sidepool-system:sidepool-operator"}
            """));
        using var api = new ApiClient(server, Token);

        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations?fieldSelector=metadata.name%3Dsidepool")).Status);
        var other = await api.GetAsync("/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations?fieldSelector=metadata.name%3Dother");
        Assert.Equal(HttpStatusCode.Forbidden, other.Status);
        Assert.Equal("other", other.Body["details"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_unknown_token_is_unauthorized()
    {
        await using var server = await StartAsync();
        using var api = new ApiClient(server, "stolen");

        Assert.Equal(HttpStatusCode.Unauthorized, (await api.GetAsync("/api/v1/pods")).Status);
    }

    [Fact]
    public async Task Setting_blockOwnerDeletion_needs_update_on_the_owners_finalizers()
    {
        await using var server = await StartAsync();
        using var kubectl = new Kubectl(server);
        await kubectl.RunOkAsync("apply", "-f", kubectl.WriteFile("rbac.yaml", """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: {name: writer}
            rules:
            - apiGroups: [""]
              resources: [secrets, configmaps]
              verbs: [get, create, update, delete]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRoleBinding
            metadata: {name: writer}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: writer}
            subjects:
            - {kind: User, name: "system:serviceaccount:sidepool-system:sidepool-operator"}
            """));
        using var admin = new ApiClient(server);
        var owner = await admin.CreateAsync("/api/v1/namespaces/default/configmaps", new JsonObject { ["metadata"] = new JsonObject { ["name"] = "owner" } });
        using var api = new ApiClient(server, Token);
        JsonObject Owned(string name, bool block) => new()
        {
            ["metadata"] = new JsonObject
            {
                ["name"] = name,
                ["ownerReferences"] = new JsonArray(new JsonObject
                {
                    ["apiVersion"] = "v1",
                    ["kind"] = "ConfigMap",
                    ["name"] = "owner",
                    ["uid"] = owner["metadata"]!["uid"]!.DeepClone(),
                    ["blockOwnerDeletion"] = block,
                }),
            },
        };

        Assert.Equal(HttpStatusCode.Created, (await api.PostAsync("/api/v1/namespaces/default/secrets", Owned("plain", block: false))).Status);
        var blocked = await api.PostAsync("/api/v1/namespaces/default/secrets", Owned("blocking", block: true));
        Assert.Equal(HttpStatusCode.Forbidden, blocked.Status);
        Assert.Equal("secrets \"blocking\" is forbidden: cannot set blockOwnerDeletion if an ownerReference refers to a resource you can't set finalizers on: , <nil>", blocked.Body["message"]!.GetValue<string>());

        await kubectl.RunOkAsync("apply", "-f", kubectl.WriteFile("finalizers.yaml", """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: {name: writer}
            rules:
            - apiGroups: [""]
              resources: [secrets, configmaps]
              verbs: [get, create, update, delete]
            - apiGroups: [""]
              resources: [configmaps/finalizers]
              verbs: [update]
            """));
        Assert.Equal(HttpStatusCode.Created, (await api.PostAsync("/api/v1/namespaces/default/secrets", Owned("blocking", block: true))).Status);

        // changing ownerReferences at all needs delete on the object itself
        await kubectl.RunOkAsync("apply", "-f", kubectl.WriteFile("nodelete.yaml", """
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: {name: writer}
            rules:
            - apiGroups: [""]
              resources: [secrets, configmaps]
              verbs: [get, create, update]
            """));
        var noDelete = await api.PostAsync("/api/v1/namespaces/default/secrets", Owned("third", block: false));
        Assert.Equal(HttpStatusCode.Forbidden, noDelete.Status);
        Assert.Equal("secrets \"third\" is forbidden: cannot set an ownerRef on a resource you can't delete: , <nil>", noDelete.Body["message"]!.GetValue<string>());
    }
}
