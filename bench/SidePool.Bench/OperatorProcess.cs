using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace SidePool.Bench;

/// <summary>
/// One <c>sidepool-operator</c> process against a kubeconfig: webhook off (no certificates needed), native sidecars,
/// Lease <c>default/sidepool-operator</c> (the operator's default name, in <c>--operator-namespace default</c>), its
/// output in a log file. Samples its VmRSS in the background.
/// </summary>
internal sealed partial class OperatorProcess : IAsyncDisposable
{
    public const string LeaseNamespace = "default";
    public const string LeaseName = "sidepool-operator";

    private readonly Process _process;
    private readonly Task _stdout;
    private readonly Task _stderr;
    private readonly CancellationTokenSource _sampling = new();
    private readonly Task _sampler;
    private readonly List<(TimeSpan At, long Kb)> _samples = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private bool _disposed;

    private OperatorProcess(Process process, string identity, int metricsPort, string logPath)
    {
        _process = process;
        Identity = identity;
        MetricsPort = metricsPort;
        LogPath = logPath;
        _stdout = FakeApiServerProcess.CopyToFileAsync(process.StandardOutput.BaseStream, logPath);
        _stderr = FakeApiServerProcess.CopyToFileAsync(process.StandardError.BaseStream, logPath + ".err");
        _sampler = SampleAsync(_sampling.Token);
    }

    public string Identity { get; }

    public int MetricsPort { get; }

    public string LogPath { get; }

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>The highest VmRSS the kernel saw (VmHWM), in KiB; 0 once the process is gone.</summary>
    public long PeakKb => ProcStatusKb(_process.Id, "VmHWM:");

    /// <summary>Starts the operator; with <paramref name="webhookPort"/> it also serves the webhook there (HTTPS, its self-signed certificate).</summary>
    public static OperatorProcess Start(string operatorPath, string kubeconfig, string identity, int metricsPort, string logDirectory, IEnumerable<string>? extraArgs = null, int? webhookPort = null)
    {
        var info = new ProcessStartInfo(operatorPath) { RedirectStandardOutput = true, RedirectStandardError = true };
        string[] webhook = webhookPort is { } port
            ? ["--webhook", "true", "--webhook-port", port.ToString(CultureInfo.InvariantCulture), "--cert-mode", "self-signed"]
            : ["--webhook", "false"];
        foreach (var arg in new[]
        {
            "--kubeconfig", kubeconfig, "--metrics-port", metricsPort.ToString(CultureInfo.InvariantCulture),
            "--sidecar-mode", "native", "--operator-namespace", LeaseNamespace, "--leader-elect", "true", "--identity", identity,
        }.Concat(webhook).Concat(extraArgs ?? []))
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["DOTNET_ROOT"] = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));
        var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {operatorPath}");
        return new OperatorProcess(process, identity, metricsPort, Path.Combine(logDirectory, $"operator-{identity}-{process.Id}.log"));
    }

    /// <summary>RSS samples (every 250 ms since the start) from <paramref name="from"/> on, in KiB.</summary>
    public IReadOnlyList<long> SamplesSince(TimeSpan from)
    {
        lock (_samples)
        {
            return _samples.Where(s => s.At >= from).Select(s => s.Kb).ToList();
        }
    }

    /// <summary>Time since the process started (the clock RSS samples are on).</summary>
    public TimeSpan Elapsed => _clock.Elapsed;

    /// <summary>SIGTERM: the operator shuts down gracefully (and releases the Lease).</summary>
    public void Terminate()
    {
        if (Kill(_process.Id, 15) != 0)
        {
            throw new InvalidOperationException($"kill -TERM {_process.Id} failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>SIGKILL: gone at once, nothing released.</summary>
    public void KillNow() => _process.Kill(entireProcessTree: true);

    public Task WaitForExitAsync(CancellationToken cancellationToken) => _process.WaitForExitAsync(cancellationToken);

    /// <summary>The last lines of the operator's log, for a failure report.</summary>
    public string LogTail(int lines = 20)
    {
        try
        {
            return string.Join('\n', File.ReadLines(LogPath).Concat(File.ReadLines(LogPath + ".err")).TakeLast(lines));
        }
        catch (IOException)
        {
            return "(no log)";
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await _sampling.CancelAsync();
        await _sampler;
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync(CancellationToken.None);
        await Task.WhenAll(_stdout, _stderr);
        _process.Dispose();
        _sampling.Dispose();
    }

    public static long ProcStatusKb(int pid, string field)
    {
        try
        {
            return File.ReadLines($"/proc/{pid}/status").Where(l => l.StartsWith(field, StringComparison.Ordinal))
                .Select(l => long.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture)).FirstOrDefault();
        }
        catch (IOException)
        {
            return 0;
        }
    }

    public static int FreeTcpPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private async Task SampleAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(250));
        try
        {
            do
            {
                if (_process.HasExited)
                {
                    return;
                }

                var kb = ProcStatusKb(_process.Id, "VmRSS:");
                lock (_samples)
                {
                    _samples.Add((_clock.Elapsed, kb));
                }
            }
            while (await timer.WaitForNextTickAsync(cancellationToken));
        }
        catch (OperationCanceledException)
        {
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
