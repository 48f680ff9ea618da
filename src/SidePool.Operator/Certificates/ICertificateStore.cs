namespace SidePool.Operator.Certificates;

/// <summary>The stored certificate Secret's data and the version it was read at.</summary>
public sealed record StoredCertificates(IReadOnlyDictionary<string, byte[]> Data, string? ResourceVersion)
{
    public override string ToString() => $"StoredCertificates {{ Keys = [{string.Join(", ", Data.Keys)}], ResourceVersion = {ResourceVersion} }}";
}

/// <summary>Where self-signed certificates are kept (a Secret; tests use memory). Shared by all replicas.</summary>
public interface ICertificateStore
{
    /// <summary>The stored data, or null when nothing is stored yet.</summary>
    Task<StoredCertificates?> ReadAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Writes <paramref name="data"/> if the store is still at <paramref name="resourceVersion"/> (null: create).
    /// False when another replica wrote first (the caller re-reads and uses theirs).
    /// </summary>
    Task<bool> WriteAsync(IReadOnlyDictionary<string, byte[]> data, string? resourceVersion, CancellationToken cancellationToken);
}
