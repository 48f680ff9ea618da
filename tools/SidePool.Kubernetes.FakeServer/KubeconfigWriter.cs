using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SidePool.Kubernetes.FakeServer;

/// <summary>Writes a kubeconfig (JSON, which kubectl reads as YAML) pointing at the fake server.</summary>
internal static class KubeconfigWriter
{
    public static string Write(string path, Uri server, string? @namespace, string? token, X509Certificate2? serverCertificate, X509Certificate2? clientCertificate)
    {
        var cluster = new JsonObject { ["server"] = server.ToString().TrimEnd('/') };
        if (serverCertificate is not null)
        {
            cluster["certificate-authority-data"] = Base64Pem(serverCertificate.ExportCertificatePem());
        }

        var user = new JsonObject();
        if (token is not null)
        {
            user["token"] = token;
        }

        if (clientCertificate is not null)
        {
            user["client-certificate-data"] = Base64Pem(clientCertificate.ExportCertificatePem());
            using var key = clientCertificate.GetRSAPrivateKey() ?? throw new InvalidOperationException("the client certificate has no RSA private key");
            user["client-key-data"] = Base64Pem(key.ExportPkcs8PrivateKeyPem());
        }

        var context = new JsonObject { ["cluster"] = "fake", ["user"] = "fake-user" };
        if (@namespace is not null)
        {
            context["namespace"] = @namespace;
        }

        var config = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Config",
            ["clusters"] = new JsonArray(new JsonObject { ["name"] = "fake", ["cluster"] = cluster }),
            ["users"] = new JsonArray(new JsonObject { ["name"] = "fake-user", ["user"] = user }),
            ["contexts"] = new JsonArray(new JsonObject { ["name"] = "fake", ["context"] = context }),
            ["current-context"] = "fake",
            ["preferences"] = new JsonObject(),
        };
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return full;
    }

    private static string Base64Pem(string pem) => Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes(pem));
}
