using System.Diagnostics;
using System.Text;
using System.Threading.Channels;

namespace SidePool.Kubernetes.FakeServer.Tests.Support;

/// <summary>Runs the real <c>/usr/bin/kubectl</c> against a fake server with a private HOME and kubeconfig.</summary>
internal sealed class Kubectl : IDisposable
{
    private const string Binary = "/usr/bin/kubectl";
    private readonly string _directory;

    public Kubectl(FakeApiServer server, string? @namespace = null)
    {
        _directory = Path.Combine(Path.GetTempPath(), "sidepool-kubectl-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Path.Combine(_directory, "home"));
        Kubeconfig = server.WriteKubeconfig(Path.Combine(_directory, "kubeconfig"), @namespace);
    }

    public string Kubeconfig { get; }

    public string WorkingDirectory => _directory;

    public string WriteFile(string name, string content)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, content);
        return path;
    }

    public async Task<KubectlResult> RunAsync(params string[] args)
    {
        using var process = Process.Start(StartInfo(args))!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        return new KubectlResult(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Runs and asserts exit code 0.</summary>
    public async Task<string> RunOkAsync(params string[] args)
    {
        var result = await RunAsync(args);
        Assert.True(result.ExitCode == 0, $"kubectl {string.Join(' ', args)} failed ({result.ExitCode}):\n{result.StandardError}\n{result.StandardOutput}");
        return result.StandardOutput;
    }

    /// <summary>Starts a long-running kubectl (e.g. <c>get -w</c>) whose stdout lines arrive in a channel.</summary>
    public RunningKubectl Start(params string[] args)
    {
        var process = Process.Start(StartInfo(args))!;
        return new RunningKubectl(process);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private ProcessStartInfo StartInfo(string[] args)
    {
        var info = new ProcessStartInfo(Binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("--kubeconfig");
        info.ArgumentList.Add(Kubeconfig);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["HOME"] = Path.Combine(_directory, "home");
        info.Environment.Remove("KUBECONFIG");
        return info;
    }
}

/// <summary>The outcome of one kubectl run.</summary>
internal sealed record KubectlResult(int ExitCode, string StandardOutput, string StandardError);

/// <summary>A kubectl process still running; its output lines are readable as they come.</summary>
internal sealed class RunningKubectl : IDisposable
{
    private readonly Process _process;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly StringBuilder _stderr = new();

    public RunningKubectl(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                _lines.Writer.TryComplete();
            }
            else
            {
                _lines.Writer.TryWrite(e.Data);
            }
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            lock (_stderr)
            {
                _stderr.AppendLine(e.Data);
            }
        };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string StandardError
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>Waits for an output line satisfying <paramref name="predicate"/>; fails the test on timeout.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> predicate, string what, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(20));
        try
        {
            while (true)
            {
                var line = await _lines.Reader.ReadAsync(cts.Token);
                if (predicate(line))
                {
                    return line;
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ChannelClosedException)
        {
            Assert.Fail($"kubectl never printed {what}; stderr: {StandardError}");
            throw;
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }

        _process.Dispose();
    }
}
