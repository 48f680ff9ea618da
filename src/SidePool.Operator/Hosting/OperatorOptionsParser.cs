using System.Globalization;
using SidePool.Api;

namespace SidePool.Operator.Hosting;

/// <summary>Parses <c>--name value</c> / <c>--name=value</c> flags.</summary>
public static class OperatorOptionsParser
{
    public const string Usage = """
        usage: sidepool-operator [flags]
          --namespace NS              watch only this namespace (default: all)
          --sidecar-mode MODE         auto | native | classic (default auto: native when every kubelet is >= 1.29)
          --default-image IMAGE       sidecar image for pools that name none
          --metrics-port PORT         /metrics, /healthz, /readyz over HTTP (default 8080)
          --webhook-port PORT         admission webhook over HTTPS (default 9443)
          --kubeconfig PATH           kubeconfig (default: in-cluster, else KUBECONFIG / ~/.kube/config)
          --context NAME              kubeconfig context
          --leader-elect BOOL         only the Lease holder reconciles (default true)
          --lease-name NAME           Lease name (default sidepool-operator)
          --lease-namespace NS        Lease namespace (default: the operator's namespace)
          --identity NAME             holder identity (default: $POD_NAME or the host name)
          --stall-timeout DUR         new pods not ready this long stall a rollout (default 10m)
          --workers N                 parallel reconciles (default 4)
          --webhook BOOL              serve the pod-mutating webhook (default true)
          --cert-mode MODE            self-signed | cert-manager | files (default self-signed)
          --cert-dir DIR              tls.crt/tls.key for cert-manager and files (default /etc/sidepool/webhook-tls)
          --webhook-service NAME      webhook Service name, for the certificate (default sidepool-webhook)
          --webhook-configuration N   MutatingWebhookConfiguration whose caBundle is kept current (default sidepool-operator)
          --operator-namespace NS     the operator's namespace (default $POD_NAMESPACE or the kubeconfig's)
          --agent-port PORT           sidecar agent's health/metrics port (default 9127)
        """;

    public static OperatorOptions Parse(IReadOnlyList<string> args)
    {
        var options = new OperatorOptions();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                throw new ArgumentException($"unexpected argument '{arg}'");
            }

            string name;
            string value;
            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                name = arg[2..equals];
                value = arg[(equals + 1)..];
            }
            else
            {
                name = arg[2..];
                value = i + 1 < args.Count ? args[++i] : throw new ArgumentException($"--{name} needs a value");
            }

            options = name switch
            {
                "namespace" => options with { Namespace = value.Length == 0 ? null : value },
                "sidecar-mode" => options with { SidecarMode = value is "auto" or "native" or "classic" ? value : throw new ArgumentException($"--sidecar-mode must be auto, native or classic, not '{value}'") },
                "default-image" => options with { DefaultImage = value.Length > 0 ? value : throw new ArgumentException("--default-image must not be empty") },
                "metrics-port" => options with { MetricsPort = Port(name, value) },
                "webhook-port" => options with { WebhookPort = Port(name, value) },
                "kubeconfig" => options with { Kubeconfig = value },
                "context" => options with { Context = value },
                "leader-elect" => options with { LeaderElection = Bool(name, value) },
                "lease-name" => options with { LeaseName = value },
                "lease-namespace" => options with { LeaseNamespace = value },
                "identity" => options with { Identity = value },
                "stall-timeout" => options with { StallTimeout = DurationOf(name, value) },
                "webhook" => options with { Webhook = Bool(name, value) },
                "cert-mode" => options with { CertMode = value is "self-signed" or "cert-manager" or "files" ? value : throw new ArgumentException($"--cert-mode must be self-signed, cert-manager or files, not '{value}'") },
                "cert-dir" => options with { CertDirectory = value },
                "webhook-service" => options with { WebhookService = value },
                "webhook-configuration" => options with { WebhookConfiguration = value },
                "operator-namespace" => options with { OperatorNamespace = value },
                "agent-port" => options with { AgentPort = Port(name, value) },
                "workers" => options with { Workers = int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is > 0 and <= 64 ? n : throw new ArgumentException($"--workers must be 1-64, not '{value}'") },
                _ => throw new ArgumentException($"unknown flag --{name}"),
            };
        }

        return options;
    }

    private static bool Bool(string name, string value) =>
        bool.TryParse(value, out var b) ? b : throw new ArgumentException($"--{name} must be true or false, not '{value}'");

    private static int Port(string name, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and < 65536
            ? port
            : throw new ArgumentException($"--{name} must be a port (1-65535), not '{value}'");

    private static TimeSpan DurationOf(string name, string value)
    {
        try
        {
            var duration = Duration.Parse(value);
            return duration > TimeSpan.Zero ? duration : throw new ArgumentException($"--{name} must be positive");
        }
        catch (FormatException)
        {
            throw new ArgumentException($"--{name} must be a duration like 30s or 10m, not '{value}'");
        }
    }
}
