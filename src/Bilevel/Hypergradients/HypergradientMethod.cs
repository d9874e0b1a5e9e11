using System.Diagnostics;
using Bilevel.Problems;

namespace Bilevel.Hypergradients;

/// <summary>The oracle cost and time of one hypergradient estimate.</summary>
/// <param name="Counts">Oracle calls the estimate made (not including producing the trajectory).</param>
/// <param name="Seconds">Wall-clock time of the estimate.</param>
public readonly record struct HypergradientEstimate(OracleCounts Counts, double Seconds);

/// <summary>
/// A hypergradient method: from a lower-level trajectory y_0 … y_T at a fixed upper point x, an estimate of
/// ∇Φ(x) = ∇x f − ∇²xy g [∇²yy g]⁻¹ ∇y f. One signature for every method (as in hypertorch); each documents the
/// iterates it reads and its oracle cost as a formula of T and its own iteration count.
/// </summary>
public abstract class HypergradientMethod
{
    /// <summary>A short name for tables and traces.</summary>
    public abstract string Name { get; }

    /// <summary>True when the method differentiates through the whole trajectory and needs every iterate.</summary>
    public virtual bool NeedsHistory => false;

    /// <summary>Oracle calls of one estimate, as a formula (T = trajectory steps).</summary>
    public abstract string CostFormula { get; }

    /// <summary>Writes the estimate of ∇Φ(x) and returns its oracle counts and time.</summary>
    public HypergradientEstimate Estimate(BilevelProblem problem, ReadOnlySpan<double> x, LowerTrajectory trajectory,
        Span<double> hypergradient, Batch batch = default)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(trajectory);
        if (x.Length != problem.UpperDimension)
        {
            throw new ArgumentException($"x has length {x.Length}, expected dx = {problem.UpperDimension}", nameof(x));
        }

        if (hypergradient.Length != problem.UpperDimension)
        {
            throw new ArgumentException($"hypergradient has length {hypergradient.Length}, expected dx = {problem.UpperDimension}", nameof(hypergradient));
        }

        if (trajectory.Dimension != problem.LowerDimension || trajectory.Steps < 0)
        {
            throw new ArgumentException($"the trajectory must hold at least y_0 of length dy = {problem.LowerDimension}", nameof(trajectory));
        }

        if (NeedsHistory && !trajectory.HasHistory && trajectory.Steps > 0)
        {
            throw new ArgumentException($"{Name} differentiates through every iterate: record the trajectory with keepHistory: true", nameof(trajectory));
        }

        var before = problem.Counter.Snapshot();
        var start = Stopwatch.GetTimestamp();
        EstimateCore(problem, x, trajectory, hypergradient, batch);
        var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        return new HypergradientEstimate(problem.Counter.Snapshot() - before, seconds);
    }

    /// <summary>Computes the estimate; arguments are already validated.</summary>
    protected abstract void EstimateCore(BilevelProblem problem, ReadOnlySpan<double> x, LowerTrajectory trajectory,
        Span<double> hypergradient, Batch batch);

    public override string ToString() => $"{Name} ({CostFormula})";
}
