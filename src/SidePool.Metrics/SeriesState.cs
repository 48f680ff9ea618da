namespace SidePool.Metrics;

/// <summary>The accumulated value of one label set of one instrument.</summary>
internal sealed class SeriesState(string labels, int bucketCount)
{
    /// <summary>Formatted label pairs without braces (<c>a="1",b="2"</c>), sorted by name; empty when unlabelled.</summary>
    public string Labels { get; } = labels;

    public double Value { get; set; }

    /// <summary>Per-bucket (not cumulative) counts; the last slot is +Inf.</summary>
    public long[] BucketCounts { get; } = bucketCount > 0 ? new long[bucketCount + 1] : [];

    public double Sum { get; set; }

    public long Count { get; set; }
}
