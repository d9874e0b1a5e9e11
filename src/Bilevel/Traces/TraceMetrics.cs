namespace Bilevel.Traces;

/// <summary>Lookups in a list of metric names (<see cref="SolverTrace.MetricNames"/>, <c>ITracedProblem.MetricNames</c>).</summary>
public static class TraceMetrics
{
    /// <summary>The position of <paramref name="name"/> in <paramref name="names"/> (ordinal comparison), or −1.</summary>
    public static int IndexOf(IReadOnlyList<string> names, string? name)
    {
        ArgumentNullException.ThrowIfNull(names);
        for (var i = 0; i < names.Count; i++)
        {
            if (string.Equals(names[i], name, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }
}
