using System.Buffers.Binary;
using System.Text;

namespace SidePool.PgBouncer.Admin;

/// <summary>Builds the few frontend messages the admin client sends.</summary>
internal static class FrontendMessages
{
    private const int ProtocolVersion3 = 196608;

    public static byte[] Startup(string user, string database, string applicationName)
    {
        using var body = new MemoryStream();
        WriteInt32(body, ProtocolVersion3);
        foreach (var (key, value) in new[] { ("user", user), ("database", database), ("application_name", applicationName) })
        {
            WriteCString(body, key);
            WriteCString(body, value);
        }

        body.WriteByte(0);
        var payload = body.ToArray();
        var message = new byte[payload.Length + 4];
        BinaryPrimitives.WriteInt32BigEndian(message, message.Length);
        payload.CopyTo(message, 4);
        return message;
    }

    public static byte[] Query(string sql) => Typed('Q', body => WriteCString(body, sql));

    public static byte[] Password(string password) => Typed('p', body => WriteCString(body, password));

    public static byte[] SaslInitialResponse(string mechanism, string clientFirst) => Typed('p', body =>
    {
        WriteCString(body, mechanism);
        var data = Encoding.UTF8.GetBytes(clientFirst);
        WriteInt32(body, data.Length);
        body.Write(data);
    });

    public static byte[] SaslResponse(string data) => Typed('p', body => body.Write(Encoding.UTF8.GetBytes(data)));

    public static byte[] Terminate() => Typed('X', _ => { });

    private static byte[] Typed(char type, Action<MemoryStream> writeBody)
    {
        using var body = new MemoryStream();
        writeBody(body);
        var payload = body.ToArray();
        var message = new byte[payload.Length + 5];
        message[0] = (byte)type;
        BinaryPrimitives.WriteInt32BigEndian(message.AsSpan(1), payload.Length + 4);
        payload.CopyTo(message, 5);
        return message;
    }

    private static void WriteInt32(MemoryStream stream, int value)
    {
        Span<byte> buffer = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(buffer, value);
        stream.Write(buffer);
    }

    private static void WriteCString(MemoryStream stream, string value)
    {
        stream.Write(Encoding.UTF8.GetBytes(value));
        stream.WriteByte(0);
    }
}
