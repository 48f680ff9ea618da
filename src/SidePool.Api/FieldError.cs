namespace SidePool.Api;

/// <summary>One validation failure: the field path as a user writes it (<c>spec.pool.minSize</c>) and a plain message.</summary>
public sealed record FieldError(string Field, string Message)
{
    public override string ToString() => $"{Field}: {Message}";
}
