using System.Security.Cryptography;
using System.Text;

namespace SidePool.Contract;

/// <summary>Deterministic shortening of names to Kubernetes' 63-character limits.</summary>
public static class DnsLabel
{
    public const int MaxLength = 63;

    /// <summary>
    /// <paramref name="name"/> as a DNS-1123 label (lowercase alphanumerics and '-', at most 63 characters).
    /// A name that already is one is returned as it is. Otherwise other characters become '-' and the result keeps
    /// at most its first 52 characters plus '-' and the first 10 hex characters of the SHA-256 of the original
    /// name, so distinct names stay distinct.
    /// </summary>
    public static string From(string name)
    {
        var builder = new StringBuilder(name.Length);
        foreach (var c in name.ToLowerInvariant())
        {
            builder.Append(c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' ? c : '-');
        }

        var label = builder.ToString().Trim('-');
        return label.Length <= MaxLength && label == name ? label : Shorten(label, name);
    }

    /// <summary>A name part of a label key or a label value (alphanumerics, '-', '_', '.'; alphanumeric at both ends).</summary>
    public static string LabelValue(string value)
    {
        return value.Length <= MaxLength ? value : Shorten(value, value);
    }

    private static string Shorten(string label, string original)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(original)))[..10];
        var head = label[..Math.Min(label.Length, MaxLength - 11)].TrimEnd('-', '.', '_');
        return head.Length == 0 ? hash : head + "-" + hash;
    }
}
