using Microsoft.Extensions.Logging;

namespace SidePool.Sandbox;

/// <summary>One line per message on stderr (<c>time level message</c>): stdout carries only the ready line.</summary>
internal sealed class StderrLogger(LogLevel minimum) : ILogger
{
    private readonly Lock _lock = new();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        if (!IsEnabled(logLevel))
        {
            return;
        }

        var line = $"{DateTime.UtcNow:HH:mm:ss.fff} {Level(logLevel)} {formatter(state, exception)}{(exception is null ? string.Empty : ": " + exception.Message)}";
        lock (_lock)
        {
            Console.Error.WriteLine(line);
        }
    }

    private static string Level(LogLevel level) => level switch
    {
        LogLevel.Trace or LogLevel.Debug => "debug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        _ => "error",
    };
}
