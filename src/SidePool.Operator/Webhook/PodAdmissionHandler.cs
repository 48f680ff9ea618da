using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using SidePool.Api;
using SidePool.Core;

namespace SidePool.Operator.Webhook;

/// <summary>
/// Answers pod CREATE admission reviews: finds the pools whose selector matches the pod and returns the
/// injection patch. Never denies: on any failure the pod is allowed unchanged, with a warning, an event and the
/// missing-sidecar metric. Dry runs have no side effects (no events).
/// </summary>
public sealed partial class PodAdmissionHandler(
    IPoolSource pools,
    IAdmissionEventRecorder events,
    WebhookMetrics metrics,
    WebhookOptions options,
    ILogger<PodAdmissionHandler> logger)
{
    public const string InternalErrorWarning = "sidepool: the sidecar could not be injected (internal error); the pod starts without it";

    public async Task<AdmissionReview> ReviewAsync(AdmissionReview review, CancellationToken cancellationToken)
    {
        var request = review.Request ?? throw new ArgumentException("the AdmissionReview has no request", nameof(review));
        var started = Stopwatch.GetTimestamp();
        var (response, outcome) = await DecideAsync(request, cancellationToken).ConfigureAwait(false);
        metrics.Admission(outcome, Stopwatch.GetElapsedTime(started));
        return new AdmissionReview { ApiVersion = review.ApiVersion ?? "admission.k8s.io/v1", Kind = "AdmissionReview", Response = response };
    }

    private async Task<(AdmissionResponse, string)> DecideAsync(AdmissionRequest request, CancellationToken cancellationToken)
    {
        if (request.Operation != "CREATE" || request.Resource is not { Group: "", Resource: "pods" } || !string.IsNullOrEmpty(request.SubResource)
            || request.Object is not { ValueKind: JsonValueKind.Object } raw)
        {
            return (Allow(request.Uid), AdmissionOutcomes.Ignored);
        }

        var dryRun = request.DryRun == true;
        var namespaceName = request.Namespace ?? "";
        string? podName = request.Name, generateName = null;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.AdmissionTimeout);

            var pod = JsonNode.Parse(raw.GetRawText()) as JsonObject ?? throw new InvalidOperationException("the pod is not a JSON object");
            var metadata = pod["metadata"] as JsonObject;
            podName ??= metadata?["name"]?.GetValue<string>();
            generateName = metadata?["generateName"]?.GetValue<string>();
            if (namespaceName.Length == 0)
            {
                namespaceName = metadata?["namespace"]?.GetValue<string>() ?? "";
            }

            var labels = (metadata?["labels"] as JsonObject)?
                .Where(p => p.Value is JsonValue)
                .ToDictionary(p => p.Key, p => p.Value!.GetValue<string>(), StringComparer.Ordinal);

            var annotations = (metadata?["annotations"] as JsonObject)?
                .Where(p => p.Value is JsonValue)
                .ToDictionary(p => p.Key, p => p.Value!.GetValue<string>(), StringComparer.Ordinal);
            var candidates = await pools.GetPoolsAsync(namespaceName, annotations, timeout.Token).ConfigureAwait(false);
            var warnings = new List<string>();
            var injections = new List<PoolInjection>();
            var notRendered = 0;
            foreach (var candidate in candidates)
            {
                var pool = candidate.Pool;
                if (pool.Metadata.DeletionTimestamp is not null || pool.Spec is null || !LabelSelectorMatcher.Matches(pool.Spec.Selector, labels))
                {
                    continue;
                }

                if (candidate.Rendered is null)
                {
                    warnings.Add($"sidepool: pool {pool.Metadata.Name} has no rendered version yet; the pod starts without its sidecar");
                    metrics.Missing("not_rendered");
                    notRendered++;
                    continue;
                }

                if (SidecarImagePolicy.Refusal(candidate.Rendered.Image, options.AllowedImagePrefixes) is { } refusal)
                {
                    warnings.Add($"sidepool: pool {pool.Metadata.Name}: {refusal}; the pod starts without its sidecar");
                    metrics.Missing("image_not_allowed");
                    notRendered++;
                    continue;
                }

                injections.Add(new PoolInjection
                {
                    Name = pool.Metadata.Name!,
                    Spec = pool.Spec,
                    CreationTimestamp = pool.Metadata.CreationTimestamp ?? DateTimeOffset.MaxValue,
                    Rendered = candidate.Rendered,
                    SidecarMode = candidate.SidecarMode,
                });
            }

            timeout.Token.ThrowIfCancellationRequested();
            var result = InjectionBuilder.Build(pod, injections, options.Injection);
            warnings.AddRange(result.Warnings);
            foreach (var missing in result.Missing)
            {
                var (reason, eventReason) = missing.Status switch
                {
                    PoolInjectionStatus.PortConflict => ("port_conflict", "SidecarPortConflict"),
                    PoolInjectionStatus.PortInUse => ("port_in_use", "SidecarPortInUse"),
                    PoolInjectionStatus.RefusedHostNetwork => ("host_network", "SidecarRefusedHostNetwork"),
                    _ => ("name_in_use", "SidecarNameInUse"),
                };
                metrics.Missing(reason);
                if (!dryRun)
                {
                    var note = result.Warnings.FirstOrDefault(w => w.Contains($"pool {missing.Pool} ", StringComparison.Ordinal)) ?? eventReason;
                    await RecordAsync(new AdmissionEvent(namespaceName, podName, generateName, missing.Pool, eventReason, note), cancellationToken).ConfigureAwait(false);
                }
            }

            var outcome = result.Pools.Any(p => p.Status == PoolInjectionStatus.Injected) ? AdmissionOutcomes.Injected
                : notRendered > 0 || result.Missing.Any() ? AdmissionOutcomes.NotInjected
                : AdmissionOutcomes.Unchanged;

            var response = new AdmissionResponse
            {
                Uid = request.Uid,
                Allowed = true,
                Patch = result.HasChanges ? JsonSerializer.SerializeToUtf8Bytes(result.Patch, WebhookJsonContext.Default.JsonArray) : null,
                PatchType = result.HasChanges ? "JSONPatch" : null,
                Warnings = warnings.Count > 0 ? warnings : null,
            };
            return (response, outcome);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Messages come from our own code and the JSON parser, never from secrets.
            LogInternalError(exception.GetType().Name, exception.Message, namespaceName, podName ?? generateName);
            metrics.Missing("error");
            if (!dryRun)
            {
                await RecordAsync(
                    new AdmissionEvent(namespaceName, podName, generateName, null, "SidecarInjectionFailed", "SidePool could not inject the sidecar (internal error); the pod started without it. See the operator's log."),
                    cancellationToken).ConfigureAwait(false);
            }

            return (new AdmissionResponse { Uid = request.Uid, Allowed = true, Warnings = [InternalErrorWarning] }, AdmissionOutcomes.Error);
        }
    }

    private async Task RecordAsync(AdmissionEvent admissionEvent, CancellationToken cancellationToken)
    {
        try
        {
            await events.RecordAsync(admissionEvent, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogEventFailed(exception.GetType().Name, exception.Message);
        }
    }

    private static AdmissionResponse Allow(string uid) => new() { Uid = uid, Allowed = true };

    [LoggerMessage(Level = LogLevel.Error, Message = "webhook: injection failed for a pod in {Namespace} ({Pod}): {ExceptionType}: {Message}; the pod is admitted without sidecars")]
    private partial void LogInternalError(string exceptionType, string message, string @namespace, string? pod);

    [LoggerMessage(Level = LogLevel.Warning, Message = "webhook: recording an event failed: {ExceptionType}: {Message}")]
    private partial void LogEventFailed(string exceptionType, string message);
}
