using k8s.Models;
using SidePool.Kubernetes.Client;
using SidePool.Kubernetes.Errors;
using SidePool.Kubernetes.FakeServer;
using SidePool.Kubernetes.Runtime.Informers;
using SidePool.Kubernetes.Runtime.Tests.Support;
using Xunit;

namespace SidePool.Kubernetes.Runtime.Tests;

/// <summary>
/// An informer over several namespaces (<see cref="InformerOptions.Namespaces"/>): one list/watch per namespace into one
/// cache, allowed by Roles in those namespaces alone (the fake API server enforcing RBAC for a service account).
/// </summary>
public sealed class InformerNamespacesTests
{
    private const string Token = "watcher-token";
    private const string User = "system:serviceaccount:ops:watcher";

    private static readonly ResourceType<V1Role> Roles = new(new("rbac.authorization.k8s.io", "v1", "roles", "Role", true));
    private static readonly ResourceType<V1RoleBinding> RoleBindings = new(new("rbac.authorization.k8s.io", "v1", "rolebindings", "RoleBinding", true));

    [Fact]
    public async Task Two_namespaces_sync_with_Roles_in_them_only_events_stay_in_them_and_a_relist_of_both_deletes_nothing()
    {
        await using var cluster = await FakeCluster.StartAsync(new FakeApiServerOptions
        {
            AuthorizeWithRbac = true,
            BearerTokens = new Dictionary<string, V1UserInfo> { [Token] = new() { Username = User, Groups = ["system:serviceaccounts", "system:authenticated"] } },
        });
        var admin = cluster.Client.Resource(KubernetesResources.ConfigMaps);
        foreach (var ns in new[] { "a", "b", "c" })
        {
            await cluster.Client.Resource(KubernetesResources.Namespaces).CreateAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = ns } });
            await admin.CreateAsync(Map(ns, "first"));
        }

        foreach (var ns in new[] { "a", "b" })
        {
            await cluster.Client.Resource(Roles).CreateAsync(new V1Role
            {
                Metadata = new V1ObjectMeta { Name = "watch-configmaps", NamespaceProperty = ns },
                Rules = [new V1PolicyRule { ApiGroups = [""], Resources = ["configmaps"], Verbs = ["list", "watch"] }],
            });
            await cluster.Client.Resource(RoleBindings).CreateAsync(new V1RoleBinding
            {
                Metadata = new V1ObjectMeta { Name = "watch-configmaps", NamespaceProperty = ns },
                RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "Role", Name = "watch-configmaps" },
                Subjects = [new Rbacv1Subject { Kind = "ServiceAccount", Name = "watcher", NamespaceProperty = "ops" }],
            });
        }

        using var watcher = KubernetesClient.ForServer(cluster.Server.BaseAddress, "default", new KubernetesClientOptions { RequestTimeout = TimeSpan.FromSeconds(10) }, Token);
        var maps = watcher.Resource(KubernetesResources.ConfigMaps);

        // Control: the same identity may not list configmaps in all namespaces, nor in c.
        await Assert.ThrowsAsync<KubernetesForbiddenException>(() => maps.ListAsync(null));
        await Assert.ThrowsAsync<KubernetesForbiddenException>(() => maps.ListAsync("c"));

        var informer = new Informer<ConfigMap>(maps, new InformerOptions { Namespaces = ["a", "b"], InitialBackoff = TimeSpan.FromMilliseconds(20), MaxBackoff = TimeSpan.FromMilliseconds(200) });
        var ledger = new EventLedger<ConfigMap>();
        informer.AddHandler(ledger);
        using var stop = new CancellationTokenSource();
        var run = informer.RunAsync(stop.Token);
        await informer.WaitForSyncAsync(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token);
        Assert.Null(informer.SyncError);
        Assert.Equal(["a/first", "b/first"], Keys(informer));

        await admin.CreateAsync(Map("a", "second"));
        await admin.CreateAsync(Map("b", "second"));
        await admin.CreateAsync(Map("c", "second"));
        await admin.DeleteAsync("first", "b");
        Assert.True(await Eventually.HoldsAsync(() => Keys(informer).SequenceEqual(["a/first", "a/second", "b/second"]), TimeSpan.FromSeconds(10)), string.Join(", ", Keys(informer)));

        // History compacted and every watch dropped: both namespaces relist (410), and neither relist may remove the
        // other namespace's objects from the shared cache.
        var deletesBefore = ledger.Deletes;
        cluster.Server.Compact();
        cluster.Server.Faults.DropAllWatches();
        await admin.CreateAsync(Map("a", "third"));
        Assert.True(await Eventually.HoldsAsync(() => Keys(informer).Contains("a/third"), TimeSpan.FromSeconds(10)));
        Assert.Equal(["a/first", "a/second", "a/third", "b/second"], Keys(informer));
        Assert.Equal(deletesBefore, ledger.Deletes);
        Assert.Equal(0, ledger.Violations);
        Assert.Equal(0, cluster.Server.AuthorizationDenials.Count(d => d.Contains("namespace \"a\"", StringComparison.Ordinal) || d.Contains("namespace \"b\"", StringComparison.Ordinal)));

        await stop.CancelAsync();
        await run;
    }

    [Fact]
    public void Namespaces_must_be_distinct_and_exclude_Namespace()
    {
        using var unused = KubernetesClient.ForServer(new Uri("https://127.0.0.1:1"));
        var client = unused.Resource(KubernetesResources.ConfigMaps);
        Assert.Throws<ArgumentException>(() => new Informer<ConfigMap>(client, new InformerOptions { Namespaces = [] }));
        Assert.Throws<ArgumentException>(() => new Informer<ConfigMap>(client, new InformerOptions { Namespaces = ["a", "a"] }));
        Assert.Throws<ArgumentException>(() => new Informer<ConfigMap>(client, new InformerOptions { Namespace = "a", Namespaces = ["b"] }));
    }

    private static ConfigMap Map(string ns, string name) => new() { Metadata = new ObjectMeta { Name = name, NamespaceProperty = ns } };

    private static List<string> Keys(Informer<ConfigMap> informer) =>
        [.. informer.Cache.List().Select(m => $"{m.Metadata.NamespaceProperty}/{m.Metadata.Name}").Order(StringComparer.Ordinal)];
}
