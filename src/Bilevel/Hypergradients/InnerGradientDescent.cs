using Bilevel.Numerics;
using Bilevel.Problems;

namespace Bilevel.Hypergradients;

/// <summary>
/// Gradient descent on the lower problem at fixed x: y_{t+1} = y_t − η ∇y g(x, y_t), t = 0 … T − 1
/// (paper 001 Algorithm 1; the inner loop of paper 002 Algorithm 1). Cost: T evaluations of ∇y g.
/// </summary>
public static class InnerGradientDescent
{
    /// <summary>Runs T steps from <paramref name="start"/> and records them in a new trajectory.</summary>
    public static LowerTrajectory Run(BilevelProblem problem, ReadOnlySpan<double> x, ReadOnlySpan<double> start,
        int steps, double stepSize, bool keepHistory, Batch batch = default)
    {
        ArgumentNullException.ThrowIfNull(problem);
        var trajectory = new LowerTrajectory(problem.LowerDimension, keepHistory);
        Run(problem, x, start, steps, stepSize, trajectory, batch);
        return trajectory;
    }

    /// <summary>Runs T steps from <paramref name="start"/>, overwriting <paramref name="trajectory"/>.</summary>
    public static void Run(BilevelProblem problem, ReadOnlySpan<double> x, ReadOnlySpan<double> start,
        int steps, double stepSize, LowerTrajectory trajectory, Batch batch = default)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(trajectory);
        ArgumentOutOfRangeException.ThrowIfNegative(steps);
        if (!(stepSize > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(stepSize), stepSize, "the inner step size must be positive");
        }

        var dy = problem.LowerDimension;
        if (start.Length != dy)
        {
            throw new ArgumentException($"the start point y_0 has length {start.Length}, expected dy = {dy}", nameof(start));
        }

        if (trajectory.Dimension != dy)
        {
            throw new ArgumentException($"the trajectory has dimension {trajectory.Dimension}, expected dy = {dy}", nameof(trajectory));
        }

        var y = new double[dy];
        var gradient = new double[dy];
        start.CopyTo(y);
        trajectory.Reset(y);
        for (var t = 0; t < steps; t++)
        {
            problem.LowerGradientY(x, y, gradient, batch);
            Vectors.Axpy(-stepSize, gradient, y);
            trajectory.Append(y, stepSize);
        }
    }
}
