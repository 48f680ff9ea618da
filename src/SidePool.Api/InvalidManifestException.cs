namespace SidePool.Api;

/// <summary>A manifest that cannot be used: the source (file name) and every field error, for a one-line report.</summary>
public sealed class InvalidManifestException(string source, IReadOnlyList<FieldError> errors)
    : Exception($"{source}: {string.Join("; ", errors)}")
{
    public string File { get; } = source;

    public IReadOnlyList<FieldError> Errors { get; } = errors;
}
