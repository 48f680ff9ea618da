using System.Globalization;

namespace SidePool.PgBouncer.Admin;

/// <summary>One DataRow of an admin console result, readable by column name (text format).</summary>
public sealed class AdminRow
{
    private readonly IReadOnlyDictionary<string, int> _ordinals;
    private readonly string?[] _values;

    internal AdminRow(IReadOnlyDictionary<string, int> ordinals, string?[] values)
    {
        _ordinals = ordinals;
        _values = values;
    }

    public int FieldCount => _values.Length;

    public string? this[int ordinal] => _values[ordinal];

    public bool HasColumn(string column) => _ordinals.ContainsKey(column);

    /// <summary>The value of a column; null when SQL NULL or when the column does not exist in this version.</summary>
    public string? GetStringOrNull(string column) =>
        _ordinals.TryGetValue(column, out var ordinal) && ordinal < _values.Length ? _values[ordinal] : null;

    public string GetString(string column) =>
        GetStringOrNull(column) ?? (HasColumn(column)
            ? throw new PgBouncerAdminException($"column '{column}' is NULL")
            : throw new PgBouncerAdminException($"column '{column}' not in result"));

    /// <summary>An integer column; <paramref name="fallback"/> when missing, NULL or not a number.</summary>
    public long GetInt64(string column, long fallback = 0) =>
        long.TryParse(GetStringOrNull(column), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : fallback;

    public double GetDouble(string column, double fallback = 0) =>
        double.TryParse(GetStringOrNull(column), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : fallback;
}
