using System.Security.Cryptography;
using System.Text;

namespace SidePool.PgBouncer.Admin;

/// <summary>PostgreSQL's MD5 password response: <c>"md5" + md5hex(md5hex(password + user) + salt)</c>.</summary>
internal static class Md5Password
{
    public static string Response(string user, string password, ReadOnlySpan<byte> salt)
    {
#pragma warning disable CA5351 // MD5 is what the protocol demands
        var inner = Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(password + user)));
        var outer = MD5.HashData([.. Encoding.UTF8.GetBytes(inner), .. salt]);
#pragma warning restore CA5351
        return "md5" + Convert.ToHexStringLower(outer);
    }
}
