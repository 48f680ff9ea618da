using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using SidePool.Contract;
using SidePool.Core;
using SidePool.Operator.Controller;
using SidePool.Operator.Tests.Support;
using SidePool.Testing;
using Xunit;

namespace SidePool.Operator.Tests;

/// <summary>Pods admitted through the real injection builder with what <see cref="PublishedPoolSource"/> offers are counted per version.</summary>
public sealed class AdmissionContractTests
{
    private const string Ns = "default";

    private static async Task<Pod> AdmitAsync(OperatorHarness h, PublishedPoolSource source, string name, ReplicaSet owner, IDictionary<string, string>? annotations = null)
    {
        var pod = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = new JsonObject
            {
                ["name"] = name,
                ["namespace"] = Ns,
                ["labels"] = new JsonObject { ["app"] = "web" },
                ["annotations"] = new JsonObject([.. (annotations ?? new Dictionary<string, string>()).Select(a => KeyValuePair.Create(a.Key, (JsonNode?)a.Value))]),
                ["ownerReferences"] = new JsonArray(new JsonObject { ["apiVersion"] = "apps/v1", ["kind"] = "ReplicaSet", ["name"] = owner.Metadata!.Name, ["uid"] = owner.Metadata.Uid, ["controller"] = true }),
            },
            ["spec"] = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = "app", ["image"] = "example/app:1" }) },
        };
        var injections = (await source.GetPoolsAsync(Ns, annotations, CancellationToken.None))
            .Where(c => c.Rendered is not null)
            .Select(c => new PoolInjection { Name = c.Pool.Metadata.Name!, Spec = c.Pool.Spec!, CreationTimestamp = c.Pool.Metadata.CreationTimestamp ?? DateTimeOffset.MaxValue, Rendered = c.Rendered!, SidecarMode = c.SidecarMode })
            .ToList();
        var result = InjectionBuilder.Build(pod, injections, new InjectionOptions());
        var admitted = JsonPatchApplier.Apply(pod, result.Patch);

        using var http = new HttpClient { BaseAddress = h.Server.BaseAddress };
        using var content = new StringContent(admitted.ToJsonString(), Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await http.PostAsync(new Uri($"api/v1/namespaces/{Ns}/pods", UriKind.Relative), content);
        response.EnsureSuccessStatusCode();
        return await h.SetPodStatusAsync(await h.Pods.GetAsync(name, Ns), ready: true, sidecar: VersionContract.Sidecar.Container("orders"));
    }

    [Fact]
    public async Task PodsInjectedFromThePublishedVersionAreCountedAndRolled()
    {
        await using var h = await OperatorHarness.StartAsync();
        using var source = new PublishedPoolSource(h.Client, h.Settings, NullLoggerFactory.Instance);
        await source.StartAsync(CancellationToken.None);
        try
        {
            await h.CreateCredentialsAsync(Ns, "orders-creds", "app", "pw");
            await h.Pools.CreateAsync(OperatorHarness.Pool(Ns, "orders", "web"));
            var v1 = (await h.PoolWhenAsync(Ns, "orders", p => p.Status?.CurrentVersion is not null, "v1")).Status!.CurrentVersion!;
            await OperatorHarness.EventuallyAsync(async () => (await source.GetPoolsAsync(Ns, null, CancellationToken.None)).Single().Rendered?.ShortVersion, v => v == v1, what: "published v1");

            var (deployment, rs1) = await h.CreateDeploymentAsync(Ns, "web", "web");
            var pod = await AdmitAsync(h, source, "web-1-a", rs1);
            Assert.Equal(VersionContract.Secrets.Version("orders", v1), pod.Spec!.Volumes!.Single(v => v.Secret is not null).Secret!.SecretName);
            var sidecar = (pod.Spec.InitContainers ?? []).Concat(pod.Spec.Containers).Single(c => c.Name == VersionContract.Sidecar.Container("orders"));
            var mount = sidecar.VolumeMounts!.Single(m => m.Name == VersionContract.Sidecar.ConfigVolume("orders"));
            var ini = Encoding.UTF8.GetString((await h.Secrets.GetAsync(VersionContract.Secrets.Version("orders", v1), Ns)).Data!["pgbouncer.ini"]);
            Assert.Contains($"auth_file = {mount.MountPath}/userlist.txt", ini, StringComparison.Ordinal);
            Assert.Equal(v1, VersionContract.Labels.VersionOf(pod.Metadata!.Labels, "orders"));

            var pool = await h.PoolWhenAsync(Ns, "orders", p => p.Status?.Targets?.Injected == 1 && p.Status.Versions![0].ReadyPods == 1, "pod counted");
            Assert.Equal(0, pool.Status!.Targets!.Missing);

            // A new version: newly admitted pods get it, the old one drains.
            await h.PatchPoolAsync(Ns, "orders", new JsonObject { ["sidecar"] = new JsonObject { ["port"] = 7432 } });
            var v2 = (await h.PoolWhenAsync(Ns, "orders", p => p.Status?.CurrentVersion is { } c && c != v1, "v2")).Status!.CurrentVersion!;
            await OperatorHarness.EventuallyAsync(async () => (await source.GetPoolsAsync(Ns, null, CancellationToken.None)).Single().Rendered?.ShortVersion, v => v == v2, what: "published v2");
            var rs2 = await h.CreateReplicaSetAsync(deployment, "2");
            var newPod = await AdmitAsync(h, source, "web-2-a", rs2);
            Assert.Equal(VersionContract.Secrets.Version("orders", v2), newPod.Spec!.Volumes!.Single(v => v.Secret is not null).Secret!.SecretName);
            pool = await h.PoolWhenAsync(Ns, "orders", p => p.Status!.Versions!.Count == 2 && p.Status.Versions.All(v => v.Pods == 1), "one pod per version");
            Assert.Equal([("Current", v2), ("Draining", v1)], pool.Status!.Versions!.Select(v => (v.State!, v.Version!)));

            // A pod whose template stamp names a published version gets that one (the stamp and the status may
            // disagree for a moment in a webhook replica's caches); a stamp naming no published version falls back.
            var stampedV1 = await AdmitAsync(h, source, "web-1-c", rs2, new Dictionary<string, string> { [VersionContract.Annotations.TemplateVersion("orders")] = v1 });
            Assert.Equal(v1, VersionContract.Labels.VersionOf(stampedV1.Metadata!.Labels, "orders"));
            var unknown = await AdmitAsync(h, source, "web-2-c", rs2, new Dictionary<string, string> { [VersionContract.Annotations.TemplateVersion("orders")] = "0000000000" });
            Assert.Equal(v2, VersionContract.Labels.VersionOf(unknown.Metadata!.Labels, "orders"));
        }
        finally
        {
            await source.StopAsync(CancellationToken.None);
        }
    }
}
