using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using SidePool.Kubernetes.Models;
using SidePool.Kubernetes.Tests.OpenApi;
using Xunit;

namespace SidePool.Kubernetes.Tests;

public sealed class SerializationTests
{
    private static readonly KubernetesJsonContext Json = KubernetesJsonContext.Default;

    [Fact]
    public void Times_are_rfc3339_utc_whole_seconds_and_lease_times_are_micro_time()
    {
        var lease = new Lease
        {
            Metadata = new ObjectMeta { Name = "l", CreationTimestamp = new DateTimeOffset(2024, 1, 2, 5, 4, 5, 999, TimeSpan.FromHours(2)) },
            Spec = new LeaseSpec { RenewTime = new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.Zero).AddTicks(1234560) },
        };
        var node = JsonNode.Parse(JsonSerializer.Serialize(lease, Json.Lease))!;
        Assert.Equal("2024-01-02T03:04:05Z", node["metadata"]!["creationTimestamp"]!.GetValue<string>());
        Assert.Equal("2024-01-02T03:04:05.123456Z", node["spec"]!["renewTime"]!.GetValue<string>());
        var back = JsonSerializer.Deserialize(node.ToJsonString(), Json.Lease)!;
        Assert.Equal(lease.Spec.RenewTime, back.Spec!.RenewTime);
    }

    [Fact]
    public void Nulls_are_omitted_and_names_are_camel_case()
    {
        var json = JsonSerializer.Serialize(new ConfigMap { Metadata = new ObjectMeta { Name = "c" } }, Json.ConfigMap);
        Assert.Equal("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"}}""", json);
    }

    [Fact]
    public void Secret_data_is_base64_on_the_wire()
    {
        var json = JsonSerializer.Serialize(new Secret { Data = new Dictionary<string, byte[]> { ["k"] = Encoding.UTF8.GetBytes("value") } }, Json.Secret);
        Assert.Contains("\"k\":\"dmFsdWU=\"", json, StringComparison.Ordinal);
        var back = JsonSerializer.Deserialize(json, Json.Secret)!;
        Assert.Equal("value", Encoding.UTF8.GetString(back.Data!["k"]));
    }

    [Fact]
    public void Int_or_string_keeps_its_kind()
    {
        var json = JsonSerializer.Serialize(new RollingUpdateDeployment { MaxSurge = "25%", MaxUnavailable = 1 }, Json.Deployment.Options.GetTypeInfo(typeof(RollingUpdateDeployment)));
        Assert.Equal("""{"maxUnavailable":1,"maxSurge":"25%"}""", json);
    }

    [Fact]
    public void Init_container_restart_policy_and_status_round_trip()
    {
        var json = JsonSerializer.Serialize(RealisticModels.Pod, Json.Pod);
        var back = JsonSerializer.Deserialize(json, Json.Pod)!;
        Assert.Equal("Always", back.Spec!.InitContainers![0].RestartPolicy);
        Assert.Equal("password", back.Spec.InitContainers[0].Env![0].ValueFrom!.SecretKeyRef!.Key);
        Assert.Equal("metrics", back.Spec.InitContainers[0].StartupProbe!.HttpGet!.Port.StringValue);
        Assert.Equal(9127, back.Spec.InitContainers[0].ReadinessProbe!.HttpGet!.Port.IntValue);
        Assert.Equal("CrashLoopBackOff", back.Status!.ContainerStatuses![0].State!.Waiting!.Reason);
        Assert.Equal(json, JsonSerializer.Serialize(back, Json.Pod));
    }

    [Fact]
    public void Admission_review_response_carries_a_base64_json_patch()
    {
        var review = new AdmissionReview
        {
            Response = new AdmissionResponse { Uid = "abc", Allowed = true, PatchType = "JSONPatch", Patch = Encoding.UTF8.GetBytes("[]"), Warnings = ["careful"] },
        };
        var node = JsonNode.Parse(JsonSerializer.Serialize(review, Json.AdmissionReview))!;
        Assert.Equal("admission.k8s.io/v1", node["apiVersion"]!.GetValue<string>());
        Assert.Equal("W10=", node["response"]!["patch"]!.GetValue<string>());
        Assert.Equal("JSONPatch", node["response"]!["patchType"]!.GetValue<string>());

        var request = JsonSerializer.Deserialize("""{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u1","kind":{"group":"","version":"v1","kind":"Pod"},"resource":{"group":"","version":"v1","resource":"pods"},"namespace":"shop","operation":"CREATE","userInfo":{"username":"alice","groups":["dev"]},"object":{"kind":"Pod","spec":{"initContainers":[{"name":"x","restartPolicy":"Always","unknownField":1}]}},"dryRun":true}}""", Json.AdmissionReview)!;
        Assert.Equal("u1", request.Request!.Uid);
        Assert.True(request.Request.DryRun);
        Assert.Equal(1, request.Request.Object!.Value.GetProperty("spec").GetProperty("initContainers")[0].GetProperty("unknownField").GetInt32());
    }

    [Fact]
    public void Rfc3339_with_offset_and_fraction_is_read()
    {
        var meta = JsonSerializer.Deserialize("""{"metadata":{"creationTimestamp":"2024-01-02T05:04:05.5+02:00"}}""", Json.ConfigMap)!.Metadata!;
        Assert.Equal(new DateTimeOffset(2024, 1, 2, 3, 4, 5, 500, TimeSpan.Zero), meta.CreationTimestamp);
    }
}
