using System.Diagnostics;
using System.Globalization;
using Testcontainers.K3s;

namespace SidePool.ClusterE2E;

/// <summary>What <c>k3s</c> is given besides what a run against a cluster is.</summary>
internal sealed record K3sOptions(string K3sImage, bool BuildImages, string SaveWith);

/// <summary>
/// <c>make e2e-k3s</c>: k3s in a container (Testcontainers.K3s), SidePool's images loaded into its containerd, its
/// kubeconfig written to the output directory, then the same run as against any cluster (<see cref="ClusterRun"/>).
/// Nothing happens before a Docker engine is found (<see cref="DockerEngine"/>).
/// </summary>
internal sealed class K3sRun(ClusterRunOptions options, K3sOptions k3s, TextWriter output)
{
    public const string DefaultImage = "rancher/k3s:v1.33.1-k3s1";

    private const string ImportDirectory = "/tmp/sidepool-images";

    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(options.OutputDirectory);
        if (k3s.BuildImages)
        {
            Say($"images/build.sh {string.Join(' ', Images.Names)}");
            await BuildImagesAsync(cancellationToken);
        }

        var archives = new List<FileInfo>();
        foreach (var name in Images.Names)
        {
            archives.Add(await SaveAsync(options.Images.Reference(name), cancellationToken));
        }

        Say($"starting k3s ({k3s.K3sImage})");
        await using var container = new K3sBuilder(k3s.K3sImage).Build();
        var kubeconfig = Path.Combine(options.OutputDirectory, "kubeconfig");
        await AtK3sAsync("start", async () =>
        {
            await container.StartAsync(cancellationToken);
            foreach (var archive in archives)
            {
                await container.CopyAsync(archive, ImportDirectory, ct: cancellationToken);
                var imported = await container.ExecAsync(["k3s", "ctr", "images", "import", $"{ImportDirectory}/{archive.Name}"], cancellationToken);
                new ToolResult((int)(imported.ExitCode ?? -1), imported.Stdout, imported.Stderr).Ok($"k3s ctr images import {archive.Name}");
                Say($"loaded {archive.Name} into k3s");
            }

            await File.WriteAllTextAsync(kubeconfig, await container.GetKubeconfigAsync(), cancellationToken);
        });
        Say($"kubeconfig: {kubeconfig}");
        using var cluster = await RealCluster.ConnectAsync(kubeconfig, cancellationToken);
        return await new ClusterRun(options, output).RunAsync(cluster, cancellationToken);
    }

    /// <summary>A step with the container; what Testcontainers or Docker throws becomes one line (an <see cref="IOException"/>).</summary>
    private static async Task AtK3sAsync(string what, Func<Task> step)
    {
        try
        {
            await step();
        }
        catch (Exception e) when (e is not (OperationCanceledException or IOException))
        {
            throw new IOException($"k3s {what}: {e.GetType().Name}: {e.Message.Split('\n')[0]}", e);
        }
    }

    /// <summary>images/build.sh for the images a cluster runs (an image whose inputs did not change is not rebuilt).</summary>
    private static async Task BuildImagesAsync(CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(Path.Combine(Repository.Root, "images", "build.sh"));
        foreach (var name in Images.Names)
        {
            info.ArgumentList.Add(name);
        }

        using var process = Process.Start(info) ?? throw new IOException("could not start images/build.sh");
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            throw new IOException($"images/build.sh failed ({process.ExitCode})");
        }
    }

    /// <summary>The image as a docker-archive (podman save, or docker save), which <c>ctr images import</c> reads.</summary>
    private async Task<FileInfo> SaveAsync(string image, CancellationToken cancellationToken)
    {
        var directory = Directory.CreateDirectory(Path.Combine(options.OutputDirectory, "images"));
        var archive = new FileInfo(Path.Combine(directory.FullName, image[(image.LastIndexOf('/') + 1)..].Replace(':', '_') + ".tar"));
        archive.Delete();
        var environment = new Dictionary<string, string>();
        if (k3s.SaveWith == "podman" && Environment.GetEnvironmentVariable("CONTAINERS_CONF") is not { Length: > 0 })
        {
            environment["CONTAINERS_CONF"] = Path.Combine(Repository.Root, "images", "containers.conf"); // as images/build.sh
        }

        string[] arguments = k3s.SaveWith == "podman" ? ["save", "--format", "docker-archive", "-o", archive.FullName, image] : ["save", "-o", archive.FullName, image];
        (await Tool.RunAsync(k3s.SaveWith, arguments, environment, cancellationToken)).Ok($"{k3s.SaveWith} save {image}");
        archive.Refresh();
        Say(string.Create(CultureInfo.InvariantCulture, $"{image}: {archive.Length / 1_000_000} MB"));
        return archive;
    }

    private void Say(string message) => output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{_clock.Elapsed.TotalSeconds,5:0}s] {message}"));
}
