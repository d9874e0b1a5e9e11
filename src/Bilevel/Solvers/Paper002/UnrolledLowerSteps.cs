using Bilevel.Hypergradients;
using Bilevel.Numerics;
using Bilevel.Problems;

namespace Bilevel.Solvers.Paper002;

/// <summary>
/// Inner gradient steps that are recorded for back-propagation (ITD-BiO, reverse, ANIL): in place on y and into a
/// preallocated <see cref="LowerTrajectory"/>, so that the hot loop does not allocate.
/// </summary>
public static class UnrolledLowerSteps
{
    /// <summary>A trajectory with room for <paramref name="steps"/> steps (grown once here, not in the hot loop).</summary>
    public static LowerTrajectory CreateTrajectory(int dimension, int steps)
    {
        var trajectory = new LowerTrajectory(dimension, keepHistory: true);
        var zero = new double[dimension];
        trajectory.Reset(zero);
        for (var t = 0; t < steps; t++)
        {
            trajectory.Append(zero, 1);
        }

        trajectory.Reset(zero);
        return trajectory;
    }

    /// <summary>
    /// <paramref name="steps"/> steps y ← y − α_t ∇y g(x, y; B_t), t = 0 … T − 1, in place on <paramref name="y"/>,
    /// recording y^0 … y^T and α_t in <paramref name="trajectory"/>. Cost: T ∇y g.
    /// </summary>
    public static void Run(BilevelProblem problem, ReadOnlySpan<double> x, Span<double> y, int steps, StepSize stepSize,
        BatchSource batches, Span<double> gradient, LowerTrajectory trajectory)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(batches);
        ArgumentNullException.ThrowIfNull(trajectory);
        trajectory.Reset(y);
        for (var t = 0; t < steps; t++)
        {
            var alpha = stepSize.At(t);
            problem.LowerGradientY(x, y, gradient, batches.Next());
            Vectors.Axpy(-alpha, gradient, y);
            trajectory.Append(y, alpha);
        }
    }
}
