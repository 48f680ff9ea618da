namespace SidePool.Core;

/// <summary>RFC 6901 reference tokens.</summary>
public static class JsonPointer
{
    /// <summary>Escapes one reference token ('~' → '~0', '/' → '~1').</summary>
    public static string Escape(string token) => token.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);
}
