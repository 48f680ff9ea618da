namespace SidePool.Cli;

/// <summary>A mistake in the user's input: reported as one line on stderr with exit code 2, never a stack trace.</summary>
public sealed class UserError(string message) : Exception(message);
