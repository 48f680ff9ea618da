namespace SidePool.Metrics;

/// <summary>Something that can write the current value of its metrics in a text exposition format.</summary>
public interface IMetricsExposition
{
    /// <summary>The HTTP content type of what <see cref="Write"/> produces.</summary>
    string ContentType { get; }

    /// <summary>Writes every collected metric (observable instruments are observed now).</summary>
    void Write(TextWriter writer);
}
