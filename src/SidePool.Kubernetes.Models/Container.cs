using System.Text.Json.Serialization;

namespace SidePool.Kubernetes.Models;

/// <summary><c>v1 Container</c>. <see cref="RestartPolicy"/> = <c>Always</c> on an init container makes it a native sidecar.</summary>
public sealed record Container
{
    public required string Name { get; init; }
    public string? Image { get; init; }
    public string? ImagePullPolicy { get; init; }
    public IReadOnlyList<string>? Command { get; init; }
    public IReadOnlyList<string>? Args { get; init; }
    public IReadOnlyList<EnvVar>? Env { get; init; }
    public IReadOnlyList<EnvFromSource>? EnvFrom { get; init; }
    public IReadOnlyList<ContainerPort>? Ports { get; init; }
    public IReadOnlyList<VolumeMount>? VolumeMounts { get; init; }
    public ResourceRequirements? Resources { get; init; }
    public Probe? LivenessProbe { get; init; }
    public Probe? ReadinessProbe { get; init; }
    public Probe? StartupProbe { get; init; }
    public Lifecycle? Lifecycle { get; init; }
    public SecurityContext? SecurityContext { get; init; }
    public string? RestartPolicy { get; init; }
    public string? WorkingDir { get; init; }
}

/// <summary><c>v1 EnvVar</c>: a literal value or a reference.</summary>
public sealed record EnvVar
{
    public required string Name { get; init; }
    public string? Value { get; init; }
    public EnvVarSource? ValueFrom { get; init; }
}

/// <summary><c>v1 EnvFromSource</c>: every key of a Secret or ConfigMap as a variable (with an optional prefix).</summary>
public sealed record EnvFromSource
{
    public string? Prefix { get; init; }
    public SecretEnvSource? SecretRef { get; init; }
    public ConfigMapEnvSource? ConfigMapRef { get; init; }
}

/// <summary><c>v1 SecretEnvSource</c>.</summary>
public sealed record SecretEnvSource
{
    public string? Name { get; init; }
    public bool? Optional { get; init; }
}

/// <summary><c>v1 ConfigMapEnvSource</c>.</summary>
public sealed record ConfigMapEnvSource
{
    public string? Name { get; init; }
    public bool? Optional { get; init; }
}

/// <summary><c>v1 EnvVarSource</c>.</summary>
public sealed record EnvVarSource
{
    public SecretKeySelector? SecretKeyRef { get; init; }
    public ConfigMapKeySelector? ConfigMapKeyRef { get; init; }
    public ObjectFieldSelector? FieldRef { get; init; }
}

/// <summary><c>v1 SecretKeySelector</c>.</summary>
public sealed record SecretKeySelector
{
    public required string Key { get; init; }
    public string? Name { get; init; }
    public bool? Optional { get; init; }
}

/// <summary><c>v1 ConfigMapKeySelector</c>.</summary>
public sealed record ConfigMapKeySelector
{
    public required string Key { get; init; }
    public string? Name { get; init; }
    public bool? Optional { get; init; }
}

/// <summary><c>v1 ObjectFieldSelector</c> (downward API).</summary>
public sealed record ObjectFieldSelector
{
    public required string FieldPath { get; init; }
    public string? ApiVersion { get; init; }
}

/// <summary><c>v1 ContainerPort</c>.</summary>
public sealed record ContainerPort
{
    [JsonPropertyName("containerPort")]
    public required int Port { get; init; }
    public int? HostPort { get; init; }
    public string? Name { get; init; }
    public string? Protocol { get; init; }
}

/// <summary><c>v1 VolumeMount</c>.</summary>
public sealed record VolumeMount
{
    public required string Name { get; init; }
    public required string MountPath { get; init; }
    public bool? ReadOnly { get; init; }
    public string? SubPath { get; init; }
}

/// <summary><c>v1 ResourceRequirements</c>: quantities as strings (<c>100m</c>, <c>64Mi</c>).</summary>
public sealed record ResourceRequirements
{
    public IReadOnlyDictionary<string, string>? Requests { get; init; }
    public IReadOnlyDictionary<string, string>? Limits { get; init; }
}

/// <summary><c>v1 Probe</c>.</summary>
public sealed record Probe
{
    public HttpGetAction? HttpGet { get; init; }
    public TcpSocketAction? TcpSocket { get; init; }
    public ExecAction? Exec { get; init; }
    public int? InitialDelaySeconds { get; init; }
    public int? PeriodSeconds { get; init; }
    public int? TimeoutSeconds { get; init; }
    public int? SuccessThreshold { get; init; }
    public int? FailureThreshold { get; init; }
}

/// <summary><c>v1 HTTPGetAction</c>.</summary>
public sealed record HttpGetAction
{
    public string? Path { get; init; }
    public required IntOrString Port { get; init; }
    public string? Host { get; init; }
    public string? Scheme { get; init; }
}

/// <summary><c>v1 TCPSocketAction</c>.</summary>
public sealed record TcpSocketAction
{
    public required IntOrString Port { get; init; }
    public string? Host { get; init; }
}

/// <summary><c>v1 ExecAction</c>.</summary>
public sealed record ExecAction
{
    public IReadOnlyList<string>? Command { get; init; }
}

/// <summary><c>v1 Lifecycle</c>: preStop/postStart hooks.</summary>
public sealed record Lifecycle
{
    public LifecycleHandler? PreStop { get; init; }
    public LifecycleHandler? PostStart { get; init; }
}

/// <summary><c>v1 LifecycleHandler</c>.</summary>
public sealed record LifecycleHandler
{
    public ExecAction? Exec { get; init; }
    public HttpGetAction? HttpGet { get; init; }
    public SleepAction? Sleep { get; init; }
}

/// <summary><c>v1 SleepAction</c>.</summary>
public sealed record SleepAction
{
    public required long Seconds { get; init; }
}

/// <summary><c>v1 SecurityContext</c> (container level).</summary>
public sealed record SecurityContext
{
    public long? RunAsUser { get; init; }
    public long? RunAsGroup { get; init; }
    public bool? RunAsNonRoot { get; init; }
    public bool? ReadOnlyRootFilesystem { get; init; }
    public bool? AllowPrivilegeEscalation { get; init; }
    public bool? Privileged { get; init; }
    public Capabilities? Capabilities { get; init; }
    public SeccompProfile? SeccompProfile { get; init; }
}

/// <summary><c>v1 Capabilities</c>.</summary>
public sealed record Capabilities
{
    public IReadOnlyList<string>? Add { get; init; }
    public IReadOnlyList<string>? Drop { get; init; }
}
