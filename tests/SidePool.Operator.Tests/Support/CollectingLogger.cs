using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace SidePool.Operator.Tests.Support;

/// <summary>Keeps warnings and errors a component logs, for a failing test to show.</summary>
public sealed class CollectingLogger : ILogger
{
    public ConcurrentQueue<string> Lines { get; } = new();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (IsEnabled(logLevel))
        {
            Lines.Enqueue($"{logLevel}: {formatter(state, exception)}");
        }
    }
}
