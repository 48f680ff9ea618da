using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace SidePool.Operator.Certificates;

/// <summary>
/// Loads the certificate at start (before Kestrel serves) and refreshes it every
/// <see cref="CertificateOptions.CheckInterval"/>: renewal when due, another replica's renewal, changed files.
/// </summary>
public sealed partial class CertificateRenewalService(
    WebhookCertificateProvider provider,
    CertificateOptions options,
    TimeProvider time,
    ILogger<CertificateRenewalService> logger) : BackgroundService
{
    /// <summary>
    /// Loads the certificate before the server starts. A failure is logged, not fatal: the controller keeps running,
    /// the next check (or the first TLS handshake) tries again, and meanwhile the API server's
    /// <c>failurePolicy: Ignore</c> admits pods without sidecars.
    /// </summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await provider.RefreshAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogFailed(exception.GetType().Name, exception.Message);
        }

        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.CheckInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                await provider.RefreshAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                // a request that timed out is an OperationCanceledException too, but not ours: a failed refresh like any other
                LogFailed(exception.GetType().Name, exception.Message);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "webhook: certificate refresh failed, keeping the current one: {ExceptionType}: {Message}")]
    private partial void LogFailed(string exceptionType, string message);
}
