using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using SidePool.Kubernetes.FakeServer.Tests.Support;

namespace SidePool.Kubernetes.FakeServer.Tests;

/// <summary>
/// DELETE with a protobuf DeleteOptions body, as client-go's typed clients send it (helm 4's release storage deletes
/// its Secrets so on <c>helm uninstall</c>); the field numbers are apimachinery's meta/v1 generated.proto.
/// </summary>
public sealed class ProtobufDeleteOptionsTests
{
    /// <summary>The exact body helm v4.1.4 sent to delete a release Secret: an empty DeleteOptions in the envelope.</summary>
    private static readonly byte[] HelmUninstallBody = Convert.FromHexString("6b3873000a130a027631120d44656c6574654f7074696f6e731200" + "1a002200");

    [Fact]
    public async Task The_empty_DeleteOptions_helm_sends_deletes_the_object()
    {
        await using var server = await FakeApiServer.StartAsync();
        using var api = new ApiClient(server);
        await api.CreateAsync(Objects.ConfigMaps, new JsonObject { ["apiVersion"] = "v1", ["kind"] = "ConfigMap", ["metadata"] = new JsonObject { ["name"] = "release" } });

        var deleted = await DeleteAsync(api, Objects.ConfigMaps + "/release", HelmUninstallBody);

        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync(Objects.ConfigMaps + "/release")).Status);
    }

    [Fact]
    public async Task Preconditions_dry_run_and_a_zero_grace_period_are_read_from_protobuf()
    {
        await using var server = await FakeApiServer.StartAsync();
        using var api = new ApiClient(server);
        var created = await api.CreateAsync(Objects.ConfigMaps, new JsonObject { ["apiVersion"] = "v1", ["kind"] = "ConfigMap", ["metadata"] = new JsonObject { ["name"] = "guarded" } });
        var uid = created["metadata"]!["uid"]!.GetValue<string>();

        // preconditions.uid (field 2.1) that does not match: 409 Conflict, nothing deleted.
        var wrongUid = await DeleteAsync(api, Objects.ConfigMaps + "/guarded", Envelope(Message(2, Message(1, Encoding.UTF8.GetBytes("not-" + uid)))));
        Assert.Equal(HttpStatusCode.Conflict, wrongUid.StatusCode);

        // dryRun: ["All"] (field 5): answered, nothing deleted.
        var dryRun = await DeleteAsync(api, Objects.ConfigMaps + "/guarded", Envelope(Message(5, Encoding.UTF8.GetBytes("All"))));
        Assert.Equal(HttpStatusCode.OK, dryRun.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync(Objects.ConfigMaps + "/guarded")).Status);

        // gracePeriodSeconds 0 (field 1, present though zero), the matching uid and propagationPolicy Background (field 4).
        var body = Envelope([.. Varint(1, 0), .. Message(2, Message(1, Encoding.UTF8.GetBytes(uid))), .. Message(4, Encoding.UTF8.GetBytes("Background"))]);
        Assert.Equal(HttpStatusCode.OK, (await DeleteAsync(api, Objects.ConfigMaps + "/guarded", body)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync(Objects.ConfigMaps + "/guarded")).Status);
    }

    [Fact]
    public async Task An_unknown_propagation_policy_in_protobuf_is_refused_as_in_JSON()
    {
        await using var server = await FakeApiServer.StartAsync();
        using var api = new ApiClient(server);
        await api.CreateAsync(Objects.ConfigMaps, new JsonObject { ["apiVersion"] = "v1", ["kind"] = "ConfigMap", ["metadata"] = new JsonObject { ["name"] = "kept" } });

        var refused = await DeleteAsync(api, Objects.ConfigMaps + "/kept", Envelope(Message(4, Encoding.UTF8.GetBytes("Sideways"))));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Contains("propagationPolicy: Unsupported value: \\\"Sideways\\\"", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync(Objects.ConfigMaps + "/kept")).Status);
    }

    private static async Task<HttpResponseMessage> DeleteAsync(ApiClient api, string path, byte[] body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Delete, new Uri(path.TrimStart('/'), UriKind.Relative)) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/vnd.kubernetes.protobuf");
        return await api.Http.SendAsync(request);
    }

    /// <summary><c>k8s\0</c> + runtime.Unknown{typeMeta{apiVersion v1, kind DeleteOptions}, raw}, as client-go writes it.</summary>
    private static byte[] Envelope(byte[] raw) =>
        [0x6b, 0x38, 0x73, 0x00, .. Message(1, [.. Message(1, "v1"u8.ToArray()), .. Message(2, "DeleteOptions"u8.ToArray())]), .. Message(2, raw), .. Message(3, []), .. Message(4, [])];

    private static byte[] Message(int field, byte[] payload) => [(byte)((field << 3) | 2), .. VarintBytes((ulong)payload.Length), .. payload];

    private static byte[] Varint(int field, ulong value) => [(byte)(field << 3), .. VarintBytes(value)];

    private static byte[] VarintBytes(ulong value)
    {
        var bytes = new List<byte>();
        do
        {
            var b = (byte)(value & 0x7f);
            value >>= 7;
            bytes.Add(value == 0 ? b : (byte)(b | 0x80));
        }
        while (value != 0);
        return [.. bytes];
    }
}
