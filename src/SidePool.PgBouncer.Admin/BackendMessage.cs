namespace SidePool.PgBouncer.Admin;

/// <summary>One message from the server: its type byte and body (without the length word).</summary>
internal readonly record struct BackendMessage(char Type, byte[] Body);
