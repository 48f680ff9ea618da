using System.Text;

namespace SidePool.Core;

/// <summary>Builds <c>metav1.Condition</c>s whose <c>lastTransitionTime</c> changes only when the status flips.</summary>
public static class ConditionMerger
{
    public static Condition Make(IReadOnlyList<Condition>? previous, string type, bool status, string reason, string message, long? generation, DateTimeOffset now) =>
        Make(previous, type, status ? "True" : "False", reason, message, generation, now);

    /// <summary>A condition whose status is <c>True</c>, <c>False</c> or <c>Unknown</c>.</summary>
    public static Condition Make(IReadOnlyList<Condition>? previous, string type, string text, string reason, string message, long? generation, DateTimeOffset now)
    {
        var old = previous?.FirstOrDefault(c => c.Type == type);
        return new Condition
        {
            Type = type,
            Status = text,
            ObservedGeneration = generation,
            LastTransitionTime = old is not null && old.Status == text ? old.LastTransitionTime : Truncate(now).UtcDateTime,
            Reason = Reason(reason),
            Message = message.Length > 1024 ? message[..1024] : message,
        };
    }

    /// <summary>Makes any text a valid condition reason (<c>^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$</c>), CamelCased.</summary>
    public static string Reason(string? text)
    {
        var builder = new StringBuilder();
        var upper = true;
        foreach (var c in text ?? "")
        {
            if (char.IsAsciiLetterOrDigit(c) || c == '_')
            {
                if (builder.Length == 0 && !char.IsAsciiLetter(c))
                {
                    continue;
                }

                builder.Append(upper ? char.ToUpperInvariant(c) : c);
                upper = false;
            }
            else
            {
                upper = true;
            }
        }

        return builder.Length == 0 ? "Unknown" : builder.ToString(0, Math.Min(builder.Length, 1024));
    }

    /// <summary>metav1.Time has whole seconds.</summary>
    public static DateTimeOffset Truncate(DateTimeOffset time) => new(time.Ticks - (time.Ticks % TimeSpan.TicksPerSecond), time.Offset);
}
