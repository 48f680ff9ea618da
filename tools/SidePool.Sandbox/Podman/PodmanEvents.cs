using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace SidePool.Sandbox.Podman;

/// <summary>
/// One <c>podman events --filter event=died</c> stream for the whole kubelet (one process, not a <c>podman wait</c> per
/// container): exits are handed to whoever watches the container's name. Restarted (from the last event's time) if it ends.
/// </summary>
internal sealed class PodmanEvents(PodmanCli podman, string stateDirectory, ILogger logger) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Action<ContainerExit>> _watchers = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _loop;
    private Process? _process;

    /// <summary>Starts the stream; returns once podman is reading events.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _loop = Task.Run(() => RunAsync(_stop.Token), CancellationToken.None);
        await _started.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Calls <paramref name="onExit"/> for every exit of the container <paramref name="name"/> until the returned handle is disposed.</summary>
    public IDisposable Watch(string name, Action<ContainerExit> onExit)
    {
        _watchers[name] = onExit;
        return new Unwatch(() => _watchers.TryRemove(new KeyValuePair<string, Action<ContainerExit>>(name, onExit)));
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_process is { } process)
        {
            PodmanCli.Kill(process);
        }

        if (_loop is not null)
        {
            await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        _stop.Dispose();
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var since = DateTimeOffset.UtcNow;
        while (!cancellationToken.IsCancellationRequested)
        {
            using var process = podman.Start(
            [
                "events", "--format", "json", "--filter", "event=died", "--filter", SandboxLabels.Filter(SandboxLabels.StateDirectory, stateDirectory),
                "--since", since.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
            ]);
            _process = process;
            _ = process.StandardError.ReadToEndAsync(CancellationToken.None);

            // podman reads the events file from the start before following; give it a moment to be at the end.
            _ = Task.Delay(TimeSpan.FromMilliseconds(300), cancellationToken).ContinueWith(_ => _started.TrySetResult(), TaskScheduler.Default);
            try
            {
                while (await process.StandardOutput.ReadLineAsync(cancellationToken) is { } line)
                {
                    if (Parse(line) is { } exit)
                    {
                        since = exit.At;
                        if (exit.ExitCode < 0)
                        {
                            // podman 4.3's events carry no exit code: ask for it (once per exit, not per container and second).
                            var inspect = await podman.RunAsync(["inspect", "--format", "{{.State.ExitCode}}", exit.Id.Length > 0 ? exit.Id : exit.Name], cancellationToken);
                            exit = exit with { ExitCode = int.TryParse(inspect.StandardOutput.Trim(), CultureInfo.InvariantCulture, out var code) ? code : 137 };
                        }

                        if (_watchers.TryGetValue(exit.Name, out var watcher))
                        {
                            watcher(exit);
                        }
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                PodmanCli.Kill(process);
                return;
            }

            logger.LogWarning("podman events ended (exit code {Code}); restarting it", process.HasExited ? process.ExitCode : -1);
            await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    internal static ContainerExit? Parse(string line)
    {
        try
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            if (!root.TryGetProperty("Name", out var name) || !root.TryGetProperty("Status", out var status) || status.GetString() != "died")
            {
                return null;
            }

            var code = root.TryGetProperty("ContainerExitCode", out var exitCode) && exitCode.ValueKind == JsonValueKind.Number ? exitCode.GetInt32() : -1;
            var at = root.TryGetProperty("Time", out var time) && DateTimeOffset.TryParse(time.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed) ? parsed : DateTimeOffset.UtcNow;
            var id = root.TryGetProperty("ID", out var identifier) ? identifier.GetString() ?? string.Empty : string.Empty;
            return new ContainerExit(id, name.GetString() ?? string.Empty, code, at);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private sealed class Unwatch(Action remove) : IDisposable
    {
        private Action? _remove = remove;

        public void Dispose() => Interlocked.Exchange(ref _remove, null)?.Invoke();
    }
}
