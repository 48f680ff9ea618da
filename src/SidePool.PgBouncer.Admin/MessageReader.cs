using System.Buffers.Binary;
using System.Text;

namespace SidePool.PgBouncer.Admin;

/// <summary>Reads fields out of a backend message body.</summary>
internal ref struct MessageReader(ReadOnlySpan<byte> body)
{
    private readonly ReadOnlySpan<byte> _body = body;
    private int _position;

    public readonly bool AtEnd => _position >= _body.Length;

    public byte ReadByte() => _body[_position++];

    public short ReadInt16()
    {
        var value = BinaryPrimitives.ReadInt16BigEndian(_body[_position..]);
        _position += 2;
        return value;
    }

    public int ReadInt32()
    {
        var value = BinaryPrimitives.ReadInt32BigEndian(_body[_position..]);
        _position += 4;
        return value;
    }

    public ReadOnlySpan<byte> ReadBytes(int count)
    {
        var bytes = _body.Slice(_position, count);
        _position += count;
        return bytes;
    }

    public ReadOnlySpan<byte> Rest() => ReadBytes(_body.Length - _position);

    /// <summary>A NUL-terminated UTF-8 string.</summary>
    public string ReadCString()
    {
        var length = _body[_position..].IndexOf((byte)0);
        if (length < 0)
        {
            throw new PgBouncerAdminException("protocol error: unterminated string");
        }

        var text = Encoding.UTF8.GetString(_body.Slice(_position, length));
        _position += length + 1;
        return text;
    }
}
