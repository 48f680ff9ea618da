using System.Text;

namespace SidePool.Core;

/// <summary>An ordered INI document as PgBouncer reads it: <c>[section]</c> headers and <c>key = value</c> lines.</summary>
public sealed class IniDocument
{
    private readonly List<(string Section, List<(string Key, string Value)> Entries)> _sections = [];
    private readonly List<string> _header = [];

    public IniDocument Comment(string line)
    {
        _header.Add(line);
        return this;
    }

    public IniDocument Set(string section, string key, string value)
    {
        var entries = _sections.FirstOrDefault(s => s.Section == section).Entries;
        if (entries is null)
        {
            entries = [];
            _sections.Add((section, entries));
        }

        if (entries.Any(e => e.Key == key))
        {
            throw new InvalidOperationException($"[{section}] {key} set twice");
        }

        entries.Add((key, value));
        return this;
    }

    public string? Get(string section, string key) =>
        _sections.FirstOrDefault(s => s.Section == section).Entries?.FirstOrDefault(e => e.Key == key).Value;

    public override string ToString()
    {
        var text = new StringBuilder();
        foreach (var line in _header)
        {
            text.Append(";; ").Append(line).Append('\n');
        }

        foreach (var (section, entries) in _sections)
        {
            text.Append('\n').Append('[').Append(section).Append("]\n");
            foreach (var (key, value) in entries)
            {
                text.Append(key).Append(" = ").Append(value).Append('\n');
            }
        }

        return text.ToString();
    }
}
