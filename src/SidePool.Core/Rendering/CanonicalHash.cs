using System.Security.Cryptography;
using System.Text;

namespace SidePool.Core;

/// <summary>
/// SHA-256 over a canonical byte form: a domain tag, then (name, value) pairs in ordinal order of name, each
/// as a length-prefixed UTF-8 string. The same pairs give the same hash on every run and machine.
/// </summary>
public sealed class CanonicalHash(string domain)
{
    private readonly SortedDictionary<string, string> _pairs = new(StringComparer.Ordinal);

    public CanonicalHash Add(string name, string value)
    {
        if (!_pairs.TryAdd(name, value))
        {
            throw new InvalidOperationException($"hash input '{name}' added twice");
        }

        return this;
    }

    public string ComputeHex()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Append(hash, domain);
        foreach (var (name, value) in _pairs)
        {
            Append(hash, name);
            Append(hash, value);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static void Append(IncrementalHash hash, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        Span<byte> length = stackalloc byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(length, bytes.Length);
        hash.AppendData(length);
        hash.AppendData(bytes);
    }
}
