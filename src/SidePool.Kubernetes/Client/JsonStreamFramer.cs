using System.Text.Json;

namespace SidePool.Kubernetes.Client;

/// <summary>
/// Splits a byte stream of concatenated JSON values (newline-delimited or not) into whole documents, as a watch stream
/// delivers them in arbitrary chunks. A returned document stays valid until the next <see cref="GetWriteMemory"/>.
/// </summary>
internal sealed class JsonStreamFramer
{
    private byte[] _buffer = new byte[16 * 1024];
    private int _start;
    private int _end;

    /// <summary>True when bytes of an unfinished document are buffered.</summary>
    public bool HasPartialDocument => _buffer.AsSpan(_start, _end - _start).IndexOfAnyExcept(" \t\r\n"u8) >= 0;

    public Memory<byte> GetWriteMemory(int minimum = 4096)
    {
        if (_start > 0)
        {
            _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
            _end -= _start;
            _start = 0;
        }

        if (_buffer.Length - _end < minimum)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _end + minimum));
        }

        return _buffer.AsMemory(_end);
    }

    public void Advance(int count) => _end += count;

    public bool TryReadDocument(out ReadOnlyMemory<byte> document)
    {
        document = default;
        var span = _buffer.AsSpan(_start, _end - _start);
        var skip = span.IndexOfAnyExcept(" \t\r\n"u8);
        if (skip < 0)
        {
            _start = _end;
            return false;
        }

        var length = MeasureDocument(span[skip..]);
        if (length == 0)
        {
            return false;
        }

        document = _buffer.AsMemory(_start + skip, length);
        _start += skip + length;
        return true;
    }

    private static int MeasureDocument(ReadOnlySpan<byte> span)
    {
        var reader = new Utf8JsonReader(span, isFinalBlock: false, state: default);
        if (!reader.Read())
        {
            return 0;
        }

        if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray && !reader.TrySkip())
        {
            return 0;
        }

        return (int)reader.BytesConsumed;
    }
}
