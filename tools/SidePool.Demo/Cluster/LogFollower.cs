using System.Collections.Concurrent;
using System.Diagnostics;

namespace SidePool.Demo.Cluster;

/// <summary>
/// Follows the app container's log of every pod of the app (<c>kubectl logs -f</c>, served by the kubelet)
/// into the <see cref="LoadLedger"/>: a follower per pod, started as pods appear, ending as they go (a pod is followed
/// once: its log is read from the start, so following it again would count its lines twice).
/// </summary>
internal sealed class LogFollower(IAppCluster cluster, string ns, string container, LoadLedger ledger) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Process> _followers = new(StringComparer.Ordinal);

    /// <summary>Starts following the pods whose app container runs (their log exists), if not followed yet.</summary>
    public void FollowRunning(IEnumerable<Pod> pods) =>
        Follow(pods
            .Where(p => p.Status?.ContainerStatuses?.Any(c => c.Name == container && c.State?.Running is not null) == true)
            .Select(p => p.Metadata!.Name!));

    /// <summary>Starts following pods not followed yet (call with the current pod names).</summary>
    public void Follow(IEnumerable<string> pods)
    {
        foreach (var pod in pods)
        {
            if (_followers.ContainsKey(pod))
            {
                continue;
            }

            var info = new ProcessStartInfo("kubectl") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var argument in new[] { "--kubeconfig", cluster.Kubeconfig, "-n", ns, "logs", "-f", pod, "-c", container })
            {
                info.ArgumentList.Add(argument);
            }

            var process = Process.Start(info)!;
            process.OutputDataReceived += (_, e) =>
            {
                if (e.Data is { } line && LoadgenEvent.Parse(line) is { } loadgen)
                {
                    ledger.Record(pod, loadgen);
                }
            };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            if (!_followers.TryAdd(pod, process))
            {
                process.Kill();
                process.Dispose();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _followers.Values)
        {
            if (!process.HasExited)
            {
                process.Kill();
                await process.WaitForExitAsync();
            }

            process.Dispose();
        }

        _followers.Clear();
    }
}
