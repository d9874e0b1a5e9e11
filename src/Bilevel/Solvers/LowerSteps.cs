using Bilevel.Numerics;
using Bilevel.Problems;

namespace Bilevel.Solvers;

/// <summary>Building blocks that many solvers share, on flat vectors and counted oracles.</summary>
public static class LowerSteps
{
    /// <summary>
    /// <paramref name="steps"/> (stochastic) gradient steps on the lower problem at fixed x, in place:
    /// y ← y − β_t ∇y g(x, y; B_t), with β_t = <paramref name="stepSize"/>.At(<paramref name="scheduleStart"/> + t) and
    /// B_t from <paramref name="batches"/>. Cost: <paramref name="steps"/> ∇y g. <paramref name="gradient"/> is scratch of length dy.
    /// </summary>
    public static void Descend(BilevelProblem problem, ReadOnlySpan<double> x, Span<double> y, int steps, StepSize stepSize,
        BatchSource batches, Span<double> gradient, long scheduleStart = 0)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(batches);
        for (var t = 0; t < steps; t++)
        {
            problem.LowerGradientY(x, y, gradient, batches.Next());
            Vectors.Axpy(-stepSize.At(scheduleStart + t), gradient, y);
        }
    }

    /// <summary>
    /// The AID hypergradient estimate at (x, y) from a linear-system iterate v ≈ [∇²yy g]⁻¹ ∇y f:
    /// ∇x f(x, y) − ∇²xy g(x, y) v. Cost: 1 ∇x f + 1 cross product. <paramref name="cross"/> is scratch of length dx.
    /// </summary>
    public static void ImplicitHypergradient(BilevelProblem problem, ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> v,
        Span<double> hypergradient, Span<double> cross, Batch upperBatch = default, Batch lowerBatch = default)
    {
        ArgumentNullException.ThrowIfNull(problem);
        problem.UpperGradientX(x, y, hypergradient, upperBatch);
        problem.LowerCrossProduct(x, y, v, cross, lowerBatch);
        Vectors.Axpy(-1, cross, hypergradient);
    }
}
