namespace Bilevel.Problems;

/// <summary>
/// A problem with metrics of its own for traces (test accuracy, cleaning AUC, …), evaluated by the solver runner
/// outside the solver's clock and oracle counts.
/// </summary>
public interface ITracedProblem
{
    /// <summary>The metrics' names, in the order <see cref="EvaluateMetrics"/> writes them.</summary>
    IReadOnlyList<string> MetricNames { get; }

    /// <summary>Writes one value per metric at (x, y).</summary>
    void EvaluateMetrics(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> values);
}
