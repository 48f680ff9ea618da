using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Security.Cryptography.X509Certificates;
using SidePool.Kubernetes.FakeServer;

namespace SidePool.Bench;

/// <summary>
/// The fake API server as a process of its own (this executable's hidden <c>fake-api-server</c> command), over HTTPS
/// with a fresh self-signed certificate: the operator and the benchmark reach it only through HTTPS, as they would a
/// real API server, and its CPU and memory are not the operator's. The only code here that uses the fake server's
/// in-process API; everything else talks JSON to it (<see cref="JsonApiClient"/>).
/// </summary>
internal sealed class FakeApiServerProcess : IAsyncDisposable
{
    private const string Ready = "FAKE-API-SERVER-READY ";
    private readonly Process _process;
    private readonly StreamWriter _log;

    private FakeApiServerProcess(Process process, StreamWriter log, Uri baseAddress, string kubeconfig, X509Certificate2 certificate)
    {
        _process = process;
        _log = log;
        BaseAddress = baseAddress;
        Kubeconfig = kubeconfig;
        Certificate = certificate;
    }

    public Uri BaseAddress { get; }

    /// <summary>A kubeconfig for the server (namespace <c>default</c>, the certificate as its CA).</summary>
    public string Kubeconfig { get; }

    public X509Certificate2 Certificate { get; }

    public int ProcessId => _process.Id;

    /// <summary>The hidden command the child runs.</summary>
    public static Command Command()
    {
        var directory = new Option<string>("--dir") { Required = true };
        var history = new Option<int>("--watch-history") { DefaultValueFactory = _ => 10_000 };
        var command = new Command("fake-api-server", "Internal: the fake API server over HTTPS until stdin closes.") { directory, history };
        command.Hidden = true;
        command.SetAction(async (parsed, ct) => await ServeAsync(parsed.GetValue(directory)!, parsed.GetValue(history), ct));
        return command;
    }

    /// <summary>Starts the child and waits until it serves; its output goes to <paramref name="directory"/>/fake-api-server.log.</summary>
    public static async Task<FakeApiServerProcess> StartAsync(string directory, int watchHistory, CancellationToken cancellationToken)
    {
        var info = SelfStartInfo();
        foreach (var arg in new[] { "fake-api-server", "--dir", directory, "--watch-history", watchHistory.ToString(CultureInfo.InvariantCulture) })
        {
            info.ArgumentList.Add(arg);
        }

        info.RedirectStandardInput = true;
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start the fake API server process");
        var log = new StreamWriter(Path.Combine(directory, "fake-api-server.log")) { AutoFlush = true };
        _ = CopyToFileAsync(process.StandardError.BaseStream, Path.Combine(directory, "fake-api-server.err.log"));
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.StartsWith(Ready, StringComparison.Ordinal))
            {
                _ = process.StandardOutput.BaseStream.CopyToAsync(log.BaseStream, CancellationToken.None);
                var certificate = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(directory, "server.crt"));
                return new FakeApiServerProcess(process, log, new Uri(line[Ready.Length..]), Path.Combine(directory, "kubeconfig"), certificate);
            }

            await log.WriteLineAsync(line);
        }

        throw new InvalidOperationException($"the fake API server exited before serving (see {directory}/fake-api-server.log)");
    }

    /// <summary>Copies a child's output stream to a file until it ends.</summary>
    public static async Task CopyToFileAsync(Stream source, string path)
    {
        await using var file = File.Create(path);
        await source.CopyToAsync(file, CancellationToken.None);
    }

    /// <summary>This executable again (apphost, or <c>dotnet sidepool-bench.dll</c>).</summary>
    public static ProcessStartInfo SelfStartInfo()
    {
        var path = Environment.ProcessPath ?? throw new InvalidOperationException("no process path");
        if (Path.GetFileNameWithoutExtension(path) == "dotnet")
        {
            var info = new ProcessStartInfo(path);
            info.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
            return info;
        }

        return new ProcessStartInfo(path);
    }

    private static async Task<int> ServeAsync(string directory, int watchHistory, CancellationToken cancellationToken)
    {
        using var certificate = TestCertificates.CreateServerCertificate();
        await File.WriteAllTextAsync(Path.Combine(directory, "server.crt"), certificate.ExportCertificatePem(), cancellationToken);
        await using var server = await FakeApiServer.StartAsync(new FakeApiServerOptions { ServerCertificate = certificate, WatchHistoryLimit = watchHistory }, cancellationToken);
        server.WriteKubeconfig(Path.Combine(directory, "kubeconfig"), "default");
        Console.WriteLine(Ready + server.BaseAddress);
        Console.Out.Flush();

        // The parent closes stdin (or dies) to stop us.
        var stdin = Console.OpenStandardInput();
        var buffer = new byte[64];
        try
        {
            while (await stdin.ReadAsync(buffer, cancellationToken) > 0)
            {
            }
        }
        catch (OperationCanceledException)
        {
        }

        return 0;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            _process.StandardInput.Close();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync(CancellationToken.None);
        }

        _process.Dispose();
        await _log.DisposeAsync();
        Certificate.Dispose();
    }
}
