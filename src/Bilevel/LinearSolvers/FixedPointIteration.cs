using System.Numerics.Tensors;
using Bilevel.Numerics;

namespace Bilevel.LinearSolvers;

/// <summary>Options of <see cref="FixedPointIteration"/>.</summary>
/// <param name="Iterations">K iterations of v ← v − η(A v − b).</param>
/// <param name="Step">η, with η · λ_max(A) &lt; 2 for convergence (&lt; 1 for a monotone one).</param>
/// <param name="WarmStart">Start from the previous solution instead of 0.</param>
public sealed record FixedPointOptions(int Iterations, double Step, bool WarmStart = false);

/// <summary>
/// Fixed-point (Richardson) iteration v_{k+1} = v_k − η(A v_k − b) = η b + (I − ηA) v_k: gradient descent on
/// ½vᵀAv − bᵀv, the linear solver of AID-FP (Grazzi et al. 2020, run as a baseline in paper 002 App. A) and
/// the fixed-point identity of paper 000 (proof of Lemma 15). From v_0 = 0 its K-th iterate equals the
/// Neumann series with K terms. Cost: K − 1 operator applications from a cold start (A·0 is skipped), K warm.
/// </summary>
public sealed class FixedPointIteration : ILinearSystemSolver
{
    private double[] _product = [];

    public FixedPointIteration(FixedPointOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegative(options.Iterations);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.Step);
        Options = options;
    }

    public FixedPointOptions Options { get; }

    public string Name => "FixedPoint";

    public bool WarmStart => Options.WarmStart;

    public string CostFormula => Options.WarmStart ? "K HVP" : "max(K − 1, 0) HVP (cold start)";

    public LinearSolveResult Solve(ILinearOperator a, ReadOnlySpan<double> b, Span<double> solution)
    {
        ArgumentNullException.ThrowIfNull(a);
        var n = a.Dimension;
        Scratch.Ensure(ref _product, n);
        var product = _product.AsSpan(0, n);
        var eta = Options.Step;
        var applications = 0;
        var start = 0;
        if (!Options.WarmStart)
        {
            solution.Clear();
            if (Options.Iterations > 0)
            {
                TensorPrimitives.Multiply(b, eta, solution);
                start = 1;
            }
        }

        for (var k = start; k < Options.Iterations; k++)
        {
            a.Apply(solution, product);
            applications++;
            TensorPrimitives.Subtract(product, b, product);
            Vectors.Axpy(-eta, product, solution);
        }

        return new LinearSolveResult(Options.Iterations, applications, double.NaN, false);
    }
}
