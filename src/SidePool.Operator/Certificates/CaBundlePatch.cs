using System.Text.Json.Nodes;
using SidePool.Core;
using SidePool.Kubernetes.Client;
using SidePool.Kubernetes.Errors;

namespace SidePool.Operator.Certificates;

/// <summary>
/// The caBundle of the MutatingWebhookConfiguration (the leader applies it after a CA change): an RFC 6902 patch
/// that sets <c>webhooks[i].clientConfig.caBundle</c>, each guarded by a <c>test</c> of the webhook's name so a
/// reordered list fails instead of patching the wrong entry.
/// </summary>
public static class CaBundlePatch
{
    /// <summary>The patch, or null when every selected webhook already has <paramref name="caBundlePem"/>.</summary>
    public static JsonArray? Build(MutatingWebhookConfiguration configuration, string caBundlePem, Func<string, bool>? webhookFilter = null)
    {
        var bundle = System.Text.Encoding.UTF8.GetBytes(caBundlePem);
        var operations = new JsonArray();
        var webhooks = configuration.Webhooks ?? [];
        for (var i = 0; i < webhooks.Count; i++)
        {
            var webhook = webhooks[i];
            if ((webhookFilter is not null && !webhookFilter(webhook.Name)) || (webhook.ClientConfig.CaBundle?.AsSpan().SequenceEqual(bundle) ?? false))
            {
                continue;
            }

            operations.Add(new JsonObject { ["op"] = "test", ["path"] = $"/webhooks/{i}/name", ["value"] = webhook.Name });
            operations.Add(new JsonObject { ["op"] = "add", ["path"] = $"/webhooks/{i}/clientConfig/caBundle", ["value"] = Convert.ToBase64String(bundle) });
        }

        return operations.Count > 0 ? operations : null;
    }

    /// <summary>Reads the configuration and patches it when needed (retries once when it changed in between). True when patched.</summary>
    public static async Task<bool> ApplyAsync(IKubernetesClient client, string configurationName, string caBundlePem, CancellationToken cancellationToken)
    {
        var configurations = client.Resource(KubernetesResources.MutatingWebhookConfigurations);
        for (var attempt = 0; ; attempt++)
        {
            var current = await configurations.GetAsync(configurationName, cancellationToken: cancellationToken).ConfigureAwait(false);
            var patch = Build(current, caBundlePem);
            if (patch is null)
            {
                return false;
            }

            try
            {
                await configurations.PatchAsync(configurationName, null, KubernetesPatch.Json(patch), cancellationToken: cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (KubernetesApiException) when (attempt == 0)
            {
                // A failed test (reordered webhooks) or a concurrent write: read again.
            }
        }
    }

    /// <summary>JSON pointer of a webhook's caBundle (for callers building their own patch).</summary>
    public static string Pointer(int index) => $"/webhooks/{index}/clientConfig/{JsonPointer.Escape("caBundle")}";
}
