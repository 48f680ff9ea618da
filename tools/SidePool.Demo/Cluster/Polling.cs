namespace SidePool.Demo.Cluster;

/// <summary>
/// Background observation for the demo and the end-to-end tests: runs a look every period until cancelled. A look that
/// fails on the way (the API server, the kubelet or PostgreSQL briefly not answering, as the scenarios provoke) is
/// skipped — a request that timed out too (the API client's timeout is an OperationCanceledException that is not ours,
/// seen on a starved machine); the next one tries again. Cancellation ends it quietly, wherever it lands.
/// </summary>
internal static class Polling
{
    public static async Task EveryAsync(TimeSpan period, Func<Task> look, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await look();
                await Task.Delay(period, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is Kubernetes.Errors.KubernetesApiException or HttpRequestException or IOException or Npgsql.NpgsqlException or TimeoutException or OperationCanceledException)
            {
            }
        }
    }
}
