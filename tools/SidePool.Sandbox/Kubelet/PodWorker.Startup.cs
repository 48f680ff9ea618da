using System.Globalization;
using Microsoft.Extensions.Logging;
using SidePool.Sandbox.Podman;

namespace SidePool.Sandbox.Kubelet;

/// <summary>
/// Start-up, in the kubelet's order: volumes (retried while a Secret is missing), the podman pod (network namespace with
/// only loopback; its hosts file maps <c>postgres.sandbox.svc</c> to 127.0.0.1), the PostgreSQL forwarder, init containers in
/// order (a regular one to completion; a native sidecar started and waited on until its startup probe passes), then the
/// app containers. Every container is supervised: restarted with back-off by its restart policy.
/// </summary>
internal sealed partial class PodWorker
{
    private async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            await SetUpVolumesAsync(cancellationToken);
            _ = RotateTokensAsync(cancellationToken);
            await CreatePodmanPodAsync(cancellationToken);
            foreach (var container in _init)
            {
                if (container.Kind == ContainerKind.Sidecar)
                {
                    _ = SuperviseAsync(container, cancellationToken);
                    await container.StartedSignal.Task.WaitAsync(cancellationToken);
                }
                else if (!await RunToCompletionAsync(container, cancellationToken))
                {
                    Change(() => _failed = true);
                    return;
                }
            }

            Change(() =>
            {
                _initialized = true;
                foreach (var app in _apps)
                {
                    app.WaitingReason = "ContainerCreating";
                }
            });
            foreach (var app in _apps)
            {
                _ = SuperviseAsync(app, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception error)
        {
            _context.Logger.LogError(error, "pod {Namespace}/{Name}: start-up failed", Namespace, Name);
            Change(() => _message = error.Message);
        }
    }

    private async Task SetUpVolumesAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                await RequestTokensAsync(cancellationToken);
                lock (_volumeLock)
                {
                    foreach (var volume in Pod.Spec?.Volumes ?? [])
                    {
                        _volumes[volume.Name] = Materialise(volume).Source;
                    }
                }

                Change(() => _message = null);
                return;
            }
            catch (VolumeNotReadyException error)
            {
                Change(() => _message = $"MountVolume.SetUp failed: {error.Message}");
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            }
        }
    }

    /// <summary>
    /// Renews the projected tokens when 80 % of the shortest one's lifetime passed, as the kubelet does (its token manager
    /// also renews after 24 h), and swaps them into their volumes; a failed renewal keeps the old token and is retried.
    /// </summary>
    private async Task RotateTokensAsync(CancellationToken cancellationToken)
    {
        var lifetimes = (Pod.Spec?.Volumes ?? []).SelectMany(v => v.Projected?.Sources ?? []).Select(s => s.ServiceAccountToken).OfType<V1ServiceAccountTokenProjection>()
            .Select(t => Math.Max(600, t.ExpirationSeconds ?? 3600)).ToList();
        if (lifetimes.Count == 0)
        {
            return;
        }

        var period = TimeSpan.FromSeconds(Math.Min(lifetimes.Min() * 0.8, 24 * 3600));
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(period, cancellationToken);
                await RequestTokensAsync(cancellationToken, renew: true);
                lock (_volumeLock)
                {
                    foreach (var volume in (Pod.Spec?.Volumes ?? []).Where(v => v.Projected is not null && _volumes.ContainsKey(v.Name)))
                    {
                        Materialise(volume);
                    }
                }

                _context.Logger.LogInformation("pod {Namespace}/{Name}: service-account tokens renewed", Namespace, Name);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (VolumeNotReadyException error)
            {
                _context.Logger.LogWarning("pod {Namespace}/{Name}: token not renewed: {Error}", Namespace, Name, error.Message);
            }
        }
    }

    /// <summary>The tokens of the pod's projected serviceAccountToken sources, asked for once each (TokenRequest bound to the pod), or all again when renewing.</summary>
    private async Task RequestTokensAsync(CancellationToken cancellationToken, bool renew = false)
    {
        foreach (var volume in Pod.Spec?.Volumes ?? [])
        {
            foreach (var token in (volume.Projected?.Sources ?? []).Select(s => s.ServiceAccountToken).OfType<V1ServiceAccountTokenProjection>())
            {
                var key = $"{volume.Name}/{token.Path}";
                if (!renew && _tokens.ContainsKey(key))
                {
                    continue;
                }

                var account = Pod.Spec?.ServiceAccountName is { Length: > 0 } named ? named : "default";
                try
                {
                    _tokens[key] = await _context.RequestToken(Namespace, account, token.ExpirationSeconds ?? 3600, token.Audience, Pod, cancellationToken);
                }
                catch (Exception error) when (error is not OperationCanceledException)
                {
                    throw new VolumeNotReadyException($"failed to fetch token: {error.Message}");
                }
            }
        }
    }

    /// <summary>Creates (or brings up to date) a volume's directory; Changed: a Secret or ConfigMap volume's content was swapped.</summary>
    private (MountSource Source, bool Changed) Materialise(Volume volume)
    {
        var path = Path.Combine(VolumeRoot, volume.Name);
        if (volume.Secret is { } secret)
        {
            var changed = AtomicWriter.Write(path, SecretVolumePayload.Build(secret, _context.Objects.Secret(Namespace, secret.SecretName ?? string.Empty)));
            return (new MountSource(path, AlwaysReadOnly: true), changed);
        }

        if (volume.ConfigMap is { } configMap)
        {
            var map = _context.Objects.ConfigMap(Namespace, configMap.Name ?? string.Empty);
            var asSecret = new SecretVolumeSource { SecretName = configMap.Name, DefaultMode = configMap.DefaultMode, Optional = configMap.Optional, Items = configMap.Items };
            var data = map is null ? null : new Secret { Data = (map.Data ?? new Dictionary<string, string>()).ToDictionary(p => p.Key, p => System.Text.Encoding.UTF8.GetBytes(p.Value)) };
            var changed = AtomicWriter.Write(path, SecretVolumePayload.Build(asSecret, data));
            return (new MountSource(path, AlwaysReadOnly: true), changed);
        }

        if (volume.Projected is { } projected)
        {
            var tokens = _tokens.Where(p => p.Key.StartsWith(volume.Name + "/", StringComparison.Ordinal)).ToDictionary(p => p.Key[(volume.Name.Length + 1)..], p => p.Value, StringComparer.Ordinal);
            var changed = AtomicWriter.Write(path, ProjectedVolumePayload.Build(projected, Pod, _context.Objects, tokens, PodIp));
            return (new MountSource(path, AlwaysReadOnly: true), changed);
        }

        if (volume.EmptyDir is not null)
        {
            // An emptyDir is world-writable (0777), as the kubelet creates it; Medium Memory is a plain directory here.
            Directory.CreateDirectory(path);
            File.SetUnixFileMode(path, (UnixFileMode)0b111_111_111);
            return (new MountSource(path, AlwaysReadOnly: false), false);
        }

        throw new VolumeNotReadyException($"volume \"{volume.Name}\": only secret, configMap, projected and emptyDir volumes are supported by the sandbox");
    }

    private async Task CreatePodmanPodAsync(CancellationToken cancellationToken)
    {
        var podman = _context.Podman;
        // No stale objects to remove first: names carry the pod's uid and `up` removed what an earlier run left.
        var hostname = Name.Length > 63 ? Name[..63] : Name;
        List<string> create =
        [
            "pod", "create", "--name", PodmanPod, "--infra-name", PodmanNames.Infra(PodmanPod), "--network", HostNetwork ? "host" : "none", "--hostname", hostname,
        ];
        Directory.CreateDirectory(Path.GetDirectoryName(HostsFile)!);
        await File.WriteAllTextAsync(HostsFile, HostsFileContent.Build(hostname, PodIp), cancellationToken);
        foreach (var (key, value) in Labels(null))
        {
            create.Add("--label");
            create.Add($"{key}={value}");
        }

        await Checked(podman.RunAsync(create, cancellationToken), "pod create");
        await Checked(podman.RunAsync(["pod", "start", PodmanPod], cancellationToken), "pod start");
        var pid = int.Parse((await Checked(podman.RunAsync(["inspect", "--format", "{{.State.Pid}}", PodmanNames.Infra(PodmanPod)], cancellationToken), "inspect")).StandardOutput.Trim(), CultureInfo.InvariantCulture);
        _network = NetworkNamespace.Open(pid);
        _prober = new ProbeExecutor(_network, podman);
        await StartRelaysAsync(_network);
        Change(() => _sandboxReady = true);

        if (_context.Settings.PostgresSocketDirectory is { } socketDirectory)
        {
            var port = _context.Settings.PostgresPort.ToString(CultureInfo.InvariantCulture);
            List<string> run = ["run", "--detach", "--pod", PodmanPod, "--name", PodmanNames.Container(PodmanPod, SandboxLabels.ForwarderContainer), "--pull", "never", "--restart", "always"];
            foreach (var (key, value) in Labels(SandboxLabels.ForwarderContainer))
            {
                run.Add("--label");
                run.Add($"{key}={value}");
            }

            run.AddRange(
            [
                "--user", "65532:65532", "--read-only", "--cap-drop", "ALL", "--security-opt", "no-new-privileges",
                "--volume", $"{socketDirectory}:/run/postgresql:ro", "--volume", $"{HostsFile}:/etc/hosts:ro", KubeletSettings.ForwarderImage,
                $"TCP-LISTEN:{port},bind=127.0.0.1,fork,reuseaddr", $"UNIX-CONNECT:/run/postgresql/.s.PGSQL.{port}",
            ]);
            await Checked(podman.RunAsync(run, cancellationToken), "the PostgreSQL forwarder");
        }
    }

    /// <summary>The pod's hosts file, mounted at /etc/hosts in every container (the kubelet manages it the same way).</summary>
    private string HostsFile => Path.Combine(_context.Settings.StateDirectory, "pods", Uid, "etc-hosts");

    private Dictionary<string, string> Labels(string? container)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [SandboxLabels.StateDirectory] = _context.Settings.StateDirectory,
            [SandboxLabels.PodUid] = Uid,
            [SandboxLabels.Pod] = $"{Namespace}/{Name}",
        };
        if (container is not null)
        {
            labels[SandboxLabels.Container] = container;
        }

        return labels;
    }

    /// <summary>Runs a regular init container until it exits 0 (restarting it with back-off), or false when it failed and the pod's restartPolicy is Never.</summary>
    private async Task<bool> RunToCompletionAsync(ContainerRuntime container, CancellationToken cancellationToken)
    {
        while (true)
        {
            var code = await SuperviseAsync(container, cancellationToken);
            if (code == 0)
            {
                return true;
            }

            if (Pod.Spec?.RestartPolicy == "Never")
            {
                return false;
            }

            var delay = container.Backoff.Next(TimeSpan.Zero);
            Change(() => WaitBackoff(container, delay));
            await Task.Delay(delay, cancellationToken);
        }
    }

    /// <summary>
    /// Runs a container and restarts it while its restart policy says so (sidecars always; app containers by the pod's
    /// restartPolicy); an init container's first exit is returned. Failures to start (missing image, missing Secret) are
    /// retried with back-off.
    /// </summary>
    private async Task<int> SuperviseAsync(ContainerRuntime container, CancellationToken cancellationToken)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            TaskCompletionSource<int> exit;
            DateTimeOffset started;
            try
            {
                (exit, started) = await StartInstanceAsync(container, cancellationToken);
            }
            catch (ContainerStartException error)
            {
                var delay = container.Backoff.Next(TimeSpan.Zero);
                Change(() =>
                {
                    container.WaitingReason = error.Reason;
                    container.WaitingMessage = error.Message;
                });
                _context.Logger.LogWarning("pod {Namespace}/{Name}: container {Container}: {Reason}: {Message}", Namespace, Name, container.Spec.Name, error.Reason, error.Message);
                await Task.Delay(delay, cancellationToken);
                continue;
            }

            using var instance = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var prober = new ContainerProber(_prober!, container, Change, reason => KillForRestartAsync(container, reason));
            _ = prober.RunAsync(started, instance.Token).ContinueWith(t => _ = t.Exception, TaskScheduler.Default);
            int code;
            try
            {
                code = await exit.Task.WaitAsync(cancellationToken);
            }
            finally
            {
                await instance.CancelAsync();
            }

            if (container.Kind == ContainerKind.Init)
            {
                return code;
            }

            var restart = container.Kind == ContainerKind.Sidecar || (Pod.Spec?.RestartPolicy ?? "Always") switch
            {
                "Never" => false,
                "OnFailure" => code != 0,
                _ => true,
            };
            if (!restart)
            {
                return code;
            }

            var wait = container.Backoff.Next(DateTimeOffset.UtcNow - started);
            Change(() => WaitBackoff(container, wait));
            await Task.Delay(wait, cancellationToken);
        }
    }

    /// <summary>Waiting in back-off: the state is <c>waiting: CrashLoopBackOff</c>, the last termination moves to <c>lastState</c>.</summary>
    private void WaitBackoff(ContainerRuntime container, TimeSpan delay)
    {
        if (container.Terminated is { } terminated)
        {
            container.LastTerminated = terminated;
            container.Terminated = null;
        }

        container.WaitingReason = "CrashLoopBackOff";
        container.WaitingMessage = string.Create(CultureInfo.InvariantCulture, $"back-off {delay.TotalSeconds:0.#}s restarting failed container={container.Spec.Name} pod={Name}_{Namespace}({Uid})");
    }

    /// <summary>Creates and starts a new instance of the container (the previous one kept as <c>…-previous</c> for <c>logs --previous</c>).</summary>
    private async Task<(TaskCompletionSource<int> Exit, DateTimeOffset Started)> StartInstanceAsync(ContainerRuntime container, CancellationToken cancellationToken)
    {
        List<string> arguments;
        try
        {
            var environment = EnvironmentBuilder.Build(container.Spec, Pod, _context.Objects, PodIp, "127.0.0.1", ServiceEnvironment());
            Dictionary<string, MountSource> volumes;
            lock (_volumeLock)
            {
                volumes = new Dictionary<string, MountSource>(_volumes, StringComparer.Ordinal);
            }

            arguments = PodmanRunArguments.Build(PodmanPod, container.PodmanName, container.Spec, Pod.Spec!, environment, volumes, Labels(container.Spec.Name), HostsFile);
        }
        catch (ContainerConfigException error)
        {
            throw new ContainerStartException("CreateContainerConfigError", error.Message);
        }

        var podman = _context.Podman;
        if (container.Created)
        {
            if (container.HasPrevious)
            {
                await podman.RunAsync(["rm", "--force", "--ignore", container.PreviousPodmanName], cancellationToken);
            }

            await podman.RunAsync(["rename", container.PodmanName, container.PreviousPodmanName], cancellationToken);
        }

        var exit = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var restarted = container.Created;
        lock (_lock)
        {
            container.Exit = exit;
            container.ContainerId = null;
            container.Started = false;
            container.Ready = false;
        }

        var result = await podman.RunAsync(arguments, cancellationToken);
        if (!result.Succeeded)
        {
            await podman.RunAsync(["rm", "--force", "--ignore", container.PodmanName], CancellationToken.None);
            var missingImage = result.StandardError.Contains("image not known", StringComparison.OrdinalIgnoreCase)
                || result.StandardError.Contains("no such image", StringComparison.OrdinalIgnoreCase);
            throw new ContainerStartException(missingImage ? "ErrImagePull" : "RunContainerError", result.Error);
        }

        var started = DateTimeOffset.UtcNow;
        Change(() =>
        {
            container.ContainerId = result.StandardOutput.Trim();
            container.HasPrevious |= restarted;
            container.Created = true;
            if (restarted)
            {
                container.RestartCount++;
                container.LastTerminated = container.Terminated ?? container.LastTerminated;
            }

            container.WaitingReason = "ContainerCreating";
            container.WaitingMessage = null;
            if (!exit.Task.IsCompleted)
            {
                container.Terminated = null;
                container.RunningSince = started;
            }
        });
        _context.Logger.LogInformation("pod {Namespace}/{Name}: container {Container} started{Restart}", Namespace, Name, container.Spec.Name, restarted ? $" (restart {container.RestartCount})" : string.Empty);
        return (exit, started);
    }

    /// <summary>A failed startup or liveness probe: stop the container (grace: the pod's terminationGracePeriodSeconds); its supervisor restarts it.</summary>
    private async Task KillForRestartAsync(ContainerRuntime container, string reason)
    {
        _context.Logger.LogWarning("pod {Namespace}/{Name}: {Reason}", Namespace, Name, reason);
        var grace = (Pod.Spec?.TerminationGracePeriodSeconds ?? 30).ToString(CultureInfo.InvariantCulture);
        await _context.Podman.RunAsync(["stop", "--time", grace, container.PodmanName], CancellationToken.None);
        await CompleteExitAsync(container);
    }

    private static async Task<PodmanResult> Checked(Task<PodmanResult> run, string what)
    {
        var result = await run;
        return result.Succeeded ? result : throw new InvalidOperationException($"podman {what}: {result.Error}");
    }
}
