namespace SidePool.Operator.Hosting;

/// <summary>Flags to <see cref="OperatorOptions"/> (see <see cref="OperatorFlags"/>), for callers that embed the operator.</summary>
public static class OperatorOptionsParser
{
    /// <summary>The options the flags ask for; a mistake throws <see cref="ArgumentException"/> with a one-line message.</summary>
    public static OperatorOptions Parse(IReadOnlyList<string> args)
    {
        var flags = new OperatorFlags();
        var result = flags.Parse(args);
        return flags.ErrorOf(result) is { } error ? throw new ArgumentException(error) : flags.Bind(result);
    }
}
