using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using SidePool.Api;

namespace SidePool.Operator.Hosting;

/// <summary>
/// The operator's flags on System.CommandLine: <c>--name value</c> or <c>--name=value</c>; boolean flags alone mean
/// true. Defaults are those of <see cref="OperatorOptions"/>; a flag not given leaves its default (which for
/// <c>--identity</c> and <c>--operator-namespace</c> comes from the environment).
/// </summary>
public sealed class OperatorFlags
{
    public const string Name = "sidepool-operator";

    private static readonly OperatorOptions Defaults = new();

    private readonly Option<string[]> _namespace = Namespaces("--namespace", "watch only these namespaces (repeatable or comma-separated; default: all)", "NS");
    private readonly Option<string> _sidecarMode = OneOf("--sidecar-mode", "auto: native when every kubelet is 1.29 or newer, else classic", "MODE", Defaults.SidecarMode, "auto", "native", "classic");
    private readonly Option<string> _defaultImage = Text("--default-image", $"sidecar image for pools that name none (default {Defaults.DefaultImage})", "IMAGE", allowEmpty: false);
    private readonly Option<int> _metricsPort = Port("--metrics-port", $"/metrics, /healthz, /readyz over HTTP (default {Defaults.MetricsPort})");
    private readonly Option<int> _webhookPort = Port("--webhook-port", $"admission webhook over HTTPS (default {Defaults.WebhookPort})");
    private readonly Option<string> _kubeconfig = Text("--kubeconfig", "kubeconfig file (default: in-cluster, else KUBECONFIG, else ~/.kube/config)", "PATH");
    private readonly Option<string> _context = Text("--context", "kubeconfig context (default: its current-context)", "NAME");
    private readonly Option<bool> _leaderElection = Bool("--leader-elect", $"only the Lease holder reconciles (default {Format(Defaults.LeaderElection)})");
    private readonly Option<string> _leaseName = Text("--lease-name", $"Lease name (default {Defaults.LeaseName})", "NAME");
    private readonly Option<string> _leaseNamespace = Text("--lease-namespace", "Lease namespace (default: the operator's namespace)", "NS");
    private readonly Option<string> _identity = Text("--identity", "holder identity (default: $POD_NAME, else the host name)", "NAME");
    private readonly Option<TimeSpan> _stallTimeout = DurationOption("--stall-timeout", "current-version pods unready this long stall a rollout (default 10m)");
    private readonly Option<TimeSpan> _loadInterval = DurationOption("--load-interval", "how often the agents' measurements are read for status.recommendation and ClientsStuck; 0 = never (default 1m)", zeroAllowed: true);
    private readonly Option<int> _workers = Workers("--workers", $"parallel reconciles, 1-64 (default {Defaults.Workers})");
    private readonly Option<bool> _webhook = Bool("--webhook", $"serve the pod-mutating webhook (default {Format(Defaults.Webhook)})");
    private readonly Option<string> _certMode = OneOf("--cert-mode", "where the webhook's certificate comes from", "MODE", Defaults.CertMode, "self-signed", "cert-manager", "files");
    private readonly Option<string> _certDirectory = Text("--cert-dir", $"tls.crt/tls.key (and ca.crt) for cert-manager and files (default {Defaults.CertDirectory})", "DIR");
    private readonly Option<string> _webhookService = Text("--webhook-service", $"webhook Service name, for the certificate (default {Defaults.WebhookService})", "NAME");
    private readonly Option<string> _webhookConfiguration = Text("--webhook-configuration", $"MutatingWebhookConfiguration whose caBundle is kept current (default {Defaults.WebhookConfiguration})", "NAME");
    private readonly Option<string> _operatorNamespace = Text("--operator-namespace", "the operator's namespace: Lease, webhook Service and Secret (default: $POD_NAMESPACE, else the kubeconfig's)", "NS");
    private readonly Option<int> _agentPort = Port("--agent-port", $"the sidecar agent's health/metrics port (default {Defaults.AgentPort})");
    private readonly Option<string[]> _allowedImagePrefixes = Repeatable("--allowed-image-prefix", "a pool's sidecar image must start with one of these (repeatable; default: any image)", "PREFIX");
    private readonly Option<ResourceRequirements?> _defaultSidecarResources = Resources("--default-sidecar-resources", "sidecar resources of pools that set none, as JSON: {\"requests\":{\"cpu\":\"50m\"},\"limits\":{\"memory\":\"64Mi\"}} (default: none)");
    private readonly Option<string> _logLevel = OneOf("--log-level", "lowest level logged", "LEVEL", "info", "trace", "debug", "info", "warning", "error");

    public OperatorFlags()
    {
        Command = new RootCommand("SidePool operator: reconciles ConnectionPools and injects their PgBouncer sidecars.")
        {
            _namespace, _sidecarMode, _defaultImage, _metricsPort, _webhookPort, _kubeconfig, _context, _leaderElection,
            _leaseName, _leaseNamespace, _identity, _stallTimeout, _loadInterval, _workers, _webhook, _certMode, _certDirectory,
            _webhookService, _webhookConfiguration, _operatorNamespace, _agentPort, _allowedImagePrefixes, _defaultSidecarResources,
            _logLevel,
        };
    }

    /// <summary>The root command (with System.CommandLine's <c>--help</c> and <c>--version</c>).</summary>
    public RootCommand Command { get; }

    /// <summary>Parses without response files (<c>@file</c>) or other expansions: every argument is taken as written.</summary>
    public ParseResult Parse(IReadOnlyList<string> args) =>
        Command.Parse([.. args], new ParserConfiguration { ResponseFileTokenReplacer = null });

    /// <summary>The first mistake in <paramref name="result"/> as one line (no trailing period), or null.</summary>
    public string? ErrorOf(ParseResult result)
    {
        if (result.Errors.Count == 0)
        {
            return null;
        }

        var args = result.Tokens.Select(t => t.Value).ToList();
        if (BadBoolean(args) is { } badBoolean)
        {
            return badBoolean;
        }

        if (result.UnmatchedTokens.FirstOrDefault(t => t.StartsWith('-')) is { } unknown)
        {
            return $"unknown option {OptionName(unknown)}";
        }

        if (result.Errors.FirstOrDefault(e => e.SymbolResult is not CommandResult) is { } error)
        {
            return error.SymbolResult is OptionResult { Tokens.Count: 0, Implicit: false } missing && missing.Option.Arity.MinimumNumberOfValues > 0
                ? $"{missing.Option.Name} needs a value"
                : OneLine(error.Message);
        }

        if (result.UnmatchedTokens.Count > 0)
        {
            return $"unexpected argument '{result.UnmatchedTokens[0]}'";
        }

        return OneLine(result.Errors[0].Message);
    }

    public OperatorOptions Bind(ParseResult result)
    {
        bool Given(Option option) => result.GetResult(option) is { Implicit: false };
        var d = Defaults;
        return d with
        {
            Namespaces = Given(_namespace) ? result.GetValue(_namespace)! : d.Namespaces,
            SidecarMode = Given(_sidecarMode) ? result.GetValue(_sidecarMode)! : d.SidecarMode,
            DefaultImage = Given(_defaultImage) ? result.GetValue(_defaultImage)! : d.DefaultImage,
            MetricsPort = Given(_metricsPort) ? result.GetValue(_metricsPort) : d.MetricsPort,
            WebhookPort = Given(_webhookPort) ? result.GetValue(_webhookPort) : d.WebhookPort,
            Kubeconfig = Given(_kubeconfig) ? result.GetValue(_kubeconfig) : d.Kubeconfig,
            Context = Given(_context) ? result.GetValue(_context) : d.Context,
            LeaderElection = Given(_leaderElection) ? result.GetValue(_leaderElection) : d.LeaderElection,
            LeaseName = Given(_leaseName) ? result.GetValue(_leaseName)! : d.LeaseName,
            LeaseNamespace = Given(_leaseNamespace) ? result.GetValue(_leaseNamespace) : d.LeaseNamespace,
            Identity = Given(_identity) ? result.GetValue(_identity)! : d.Identity,
            StallTimeout = Given(_stallTimeout) ? result.GetValue(_stallTimeout) : d.StallTimeout,
            LoadInterval = Given(_loadInterval) ? result.GetValue(_loadInterval) : d.LoadInterval,
            Workers = Given(_workers) ? result.GetValue(_workers) : d.Workers,
            Webhook = Given(_webhook) ? result.GetValue(_webhook) : d.Webhook,
            CertMode = Given(_certMode) ? result.GetValue(_certMode)! : d.CertMode,
            CertDirectory = Given(_certDirectory) ? result.GetValue(_certDirectory)! : d.CertDirectory,
            WebhookService = Given(_webhookService) ? result.GetValue(_webhookService)! : d.WebhookService,
            WebhookConfiguration = Given(_webhookConfiguration) ? result.GetValue(_webhookConfiguration)! : d.WebhookConfiguration,
            OperatorNamespace = Given(_operatorNamespace) ? result.GetValue(_operatorNamespace) : d.OperatorNamespace,
            AgentPort = Given(_agentPort) ? result.GetValue(_agentPort) : d.AgentPort,
            AllowedImagePrefixes = Given(_allowedImagePrefixes) ? result.GetValue(_allowedImagePrefixes)! : d.AllowedImagePrefixes,
            DefaultSidecarResources = Given(_defaultSidecarResources) ? result.GetValue(_defaultSidecarResources) : d.DefaultSidecarResources,
            LogLevel = Given(_logLevel) ? LogLevelOf(result.GetValue(_logLevel)!) : d.LogLevel,
        };
    }

    /// <summary>
    /// System.CommandLine does not take a non-boolean word after a boolean flag (<c>--webhook maybe</c>,
    /// <c>--webhook=maybe</c>) as its value but as a stray argument; say what is wrong instead.
    /// </summary>
    private string? BadBoolean(List<string> args)
    {
        var booleans = new[] { _leaderElection.Name, _webhook.Name };
        for (var i = 0; i < args.Count; i++)
        {
            if (!booleans.Contains(args[i]))
            {
                continue;
            }

            if (i + 1 < args.Count && !args[i + 1].StartsWith('-') && !bool.TryParse(args[i + 1], out _))
            {
                return $"{args[i]} must be true or false, not '{args[i + 1]}'";
            }
        }

        return null;
    }

    private static LogLevel LogLevelOf(string value) => value switch
    {
        "trace" => LogLevel.Trace,
        "debug" => LogLevel.Debug,
        "warning" => LogLevel.Warning,
        "error" => LogLevel.Error,
        _ => LogLevel.Information,
    };

    /// <summary><c>--name</c> of <c>--name</c> or <c>--name=value</c>.</summary>
    private static string OptionName(string token) => token.Split('=', 2)[0];

    private static string OneLine(string message) =>
        string.Join(' ', message.Split(['\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).TrimEnd('.');

    private static string Format(bool value) => value ? "true" : "false";

    /// <summary>
    /// A value that looks like a flag (System.CommandLine takes any token after a flag that needs one) means the value
    /// was forgotten: say so, and whether that flag is one we know.
    /// </summary>
    private static bool LooksLikeFlag(ArgumentResult result, string name, string value)
    {
        if (!value.StartsWith("--", StringComparison.Ordinal))
        {
            return false;
        }

        var flag = OptionName(value);
        SymbolResult? parent = result;
        while (parent is not null and not CommandResult)
        {
            parent = parent.Parent;
        }

        var known = parent is CommandResult command && command.Command.Options.Any(o => o.Name == flag || o.Aliases.Contains(flag));
        result.AddError(known ? $"{name} needs a value" : $"{name} needs a value, got unknown option {flag}");
        return true;
    }

    private static Option<string> Text(string name, string description, string valueName, bool allowEmpty = true) => new(name)
    {
        Description = description,
        HelpName = valueName,
        CustomParser = r =>
        {
            var value = r.Tokens[0].Value;
            if (LooksLikeFlag(r, name, value))
            {
                return null;
            }

            if (!allowEmpty && value.Length == 0)
            {
                r.AddError($"{name} must not be empty");
            }

            return value;
        },
    };

    /// <summary>
    /// A flag given once per value (<c>--name a --name b</c>); each value non-empty. With <paramref name="check"/>, a
    /// value may also hold several, comma-separated, each checked (null: fine; else the error after "name: ").
    /// </summary>
    private static Option<string[]> Repeatable(string name, string description, string valueName, Func<string, string?>? check = null) => new(name)
    {
        Description = description,
        HelpName = valueName,
        Arity = ArgumentArity.OneOrMore,
        AllowMultipleArgumentsPerToken = false,
        CustomParser = r =>
        {
            var values = new List<string>();
            foreach (var token in r.Tokens)
            {
                if (LooksLikeFlag(r, name, token.Value))
                {
                    return [];
                }

                if (token.Value.Length == 0)
                {
                    r.AddError($"{name} must not be empty");
                    return [];
                }

                foreach (var part in check is null ? [token.Value] : token.Value.Split(',', StringSplitOptions.TrimEntries))
                {
                    if (check?.Invoke(part) is { } problem)
                    {
                        r.AddError($"{name}: {problem}");
                        return [];
                    }

                    values.Add(part);
                }
            }

            return [.. values.Distinct(StringComparer.Ordinal)];
        },
    };

    /// <summary>
    /// Namespace names, given once per flag or comma-separated in one (<c>--namespace a,b</c>, the <c>WATCH_NAMESPACE</c>
    /// convention of operator-sdk and CloudNativePG); each a DNS-1123 label.
    /// </summary>
    private static Option<string[]> Namespaces(string name, string description, string valueName) =>
        Repeatable(name, description, valueName, part => IsNamespaceName(part) ? null : $"'{part}' is not a namespace name (lowercase letters, digits and '-', at most 63)");

    private static bool IsNamespaceName(string value) =>
        value.Length is > 0 and <= 63 && value[0] != '-' && value[^1] != '-' &&
        value.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-');

    /// <summary>Requests and limits as JSON, checked as <c>spec.sidecar.resources</c> of a pool would be.</summary>
    private static Option<ResourceRequirements?> Resources(string name, string description) => new(name)
    {
        Description = description,
        HelpName = "JSON",
        CustomParser = r =>
        {
            var value = r.Tokens[0].Value;
            if (LooksLikeFlag(r, name, value))
            {
                return null;
            }

            ResourceRequirements? resources;
            try
            {
                resources = JsonSerializer.Deserialize(value, ApiJsonContext.Default.ResourceRequirements);
            }
            catch (JsonException ex)
            {
                r.AddError($"{name} must be JSON like {{\"requests\":{{\"cpu\":\"50m\"}}}}: {ex.Message}");
                return null;
            }

            if (resources is null)
            {
                r.AddError($"{name} must be a JSON object with requests and/or limits");
                return null;
            }

            var problems = ConnectionPoolValidator.ValidateSpec(new ConnectionPoolSpec { Sidecar = new SidecarSpec { Resources = resources } })
                .Select(e => e.ToString())
                .Where(e => e.StartsWith("spec.sidecar.resources", StringComparison.Ordinal))
                .ToList();
            if (problems.Count > 0)
            {
                r.AddError($"{name}: {string.Join("; ", problems).Replace("spec.sidecar.resources.", string.Empty, StringComparison.Ordinal)}");
                return null;
            }

            return resources;
        },
    };

    private static Option<string> OneOf(string name, string description, string valueName, string fallback, params string[] allowed) => new(name)
    {
        Description = $"{string.Join(" | ", allowed)}; {description} (default {fallback})",
        HelpName = valueName,
        CustomParser = r =>
        {
            var value = r.Tokens[0].Value;
            if (!LooksLikeFlag(r, name, value) && !allowed.Contains(value))
            {
                r.AddError($"{name} must be {string.Join(", ", allowed[..^1])} or {allowed[^1]}, not '{value}'");
            }

            return value;
        },
    };

    private static Option<int> Port(string name, string description) => new(name)
    {
        Description = description,
        HelpName = "PORT",
        CustomParser = r =>
        {
            var value = r.Tokens[0].Value;
            if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and < 65536)
            {
                return port;
            }

            if (!LooksLikeFlag(r, name, value))
            {
                r.AddError($"{name} must be a port (1-65535), not '{value}'");
            }

            return 0;
        },
    };

    private static Option<int> Workers(string name, string description) => new(name)
    {
        Description = description,
        HelpName = "N",
        CustomParser = r =>
        {
            var value = r.Tokens[0].Value;
            if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is > 0 and <= 64)
            {
                return n;
            }

            if (!LooksLikeFlag(r, name, value))
            {
                r.AddError($"{name} must be 1-64, not '{value}'");
            }

            return 0;
        },
    };

    private static Option<TimeSpan> DurationOption(string name, string description, bool zeroAllowed = false) => new(name)
    {
        Description = description,
        HelpName = "DURATION",
        CustomParser = r =>
        {
            var value = r.Tokens[0].Value;
            if (Duration.TryParse(value, out var duration) && (duration > TimeSpan.Zero || (zeroAllowed && duration == TimeSpan.Zero)))
            {
                return duration.Value;
            }

            if (!LooksLikeFlag(r, name, value))
            {
                r.AddError($"{name} must be a {(zeroAllowed ? "duration like 30s or 10m, or 0" : "positive duration like 30s or 10m")}, not '{value}'");
            }

            return TimeSpan.Zero;
        },
    };

    private static Option<bool> Bool(string name, string description) => new(name)
    {
        Description = description + "; alone: true",
        HelpName = "true|false",
        CustomParser = r =>
        {
            if (r.Tokens.Count == 0)
            {
                return true;
            }

            var value = r.Tokens[0].Value;
            if (bool.TryParse(value, out var b))
            {
                return b;
            }

            r.AddError($"{name} must be true or false, not '{value}'");
            return false;
        },
    };
}
