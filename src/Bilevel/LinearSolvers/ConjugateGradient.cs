using System.Numerics.Tensors;
using Bilevel.Numerics;

namespace Bilevel.LinearSolvers;

/// <summary>Options of <see cref="ConjugateGradient"/>.</summary>
/// <param name="Iterations">Maximum CG iterations N (paper 002 Alg. 1: "N steps of CG"; paper 000 §3: K ≈ 10 in its experiments).</param>
/// <param name="RelativeTolerance">Stop once ‖b − A v‖ ≤ tol · ‖b‖ (0: run all iterations unless the residual vanishes).</param>
/// <param name="WarmStart">Start from the previous solution (paper 002 AID-BiO: v_k^0 = v_{k−1}^N).</param>
public sealed record ConjugateGradientOptions(int Iterations, double RelativeTolerance = 0, bool WarmStart = false);

/// <summary>
/// Linear conjugate gradient (Nocedal &amp; Wright, Alg. 5.2), as cited by paper 000 §3 (Eq. 4) and used by paper 002
/// Algorithm 1 (AID-BiO with warm-started CG). In exact arithmetic it solves an n×n system in at most n iterations.
/// Cost: N operator applications from a cold start, N + 1 with a warm start (the initial residual).
/// </summary>
public sealed class ConjugateGradient : ILinearSystemSolver
{
    private double[] _residual = [];
    private double[] _direction = [];
    private double[] _product = [];

    public ConjugateGradient(ConjugateGradientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegative(options.Iterations);
        ArgumentOutOfRangeException.ThrowIfNegative(options.RelativeTolerance);
        Options = options;
    }

    public ConjugateGradientOptions Options { get; }

    public string Name => "CG";

    public bool WarmStart => Options.WarmStart;

    public string CostFormula => Options.WarmStart ? "N + 1 HVP (warm start)" : "N HVP";

    public LinearSolveResult Solve(ILinearOperator a, ReadOnlySpan<double> b, Span<double> solution)
    {
        ArgumentNullException.ThrowIfNull(a);
        var n = a.Dimension;
        Scratch.Ensure(ref _residual, n);
        Scratch.Ensure(ref _direction, n);
        Scratch.Ensure(ref _product, n);
        var r = _residual.AsSpan(0, n);
        var p = _direction.AsSpan(0, n);
        var ap = _product.AsSpan(0, n);
        var applications = 0;

        if (Options.WarmStart)
        {
            a.Apply(solution, ap);
            applications++;
            TensorPrimitives.Subtract(b, ap, r);
        }
        else
        {
            solution.Clear();
            b.CopyTo(r);
        }

        r.CopyTo(p);
        var rr = TensorPrimitives.Dot<double>(r, r);
        var target = Options.RelativeTolerance * Vectors.Norm(b);
        var iterations = 0;
        var converged = false;
        while (iterations < Options.Iterations)
        {
            if (rr == 0 || Math.Sqrt(rr) <= target)
            {
                converged = true;
                break;
            }

            a.Apply(p, ap);
            applications++;
            var curvature = TensorPrimitives.Dot<double>(p, ap);
            if (!(curvature > 0))
            {
                throw new InvalidOperationException($"CG met non-positive curvature pᵀAp = {curvature:G4}: the operator is not positive definite");
            }

            var step = rr / curvature;
            Vectors.Axpy(step, p, solution);
            Vectors.Axpy(-step, ap, r);
            var rrNext = TensorPrimitives.Dot<double>(r, r);
            var beta = rrNext / rr;
            TensorPrimitives.MultiplyAdd(p, beta, r, p);
            rr = rrNext;
            iterations++;
        }

        converged |= rr == 0 || (Options.RelativeTolerance > 0 && Math.Sqrt(rr) <= target);
        return new LinearSolveResult(iterations, applications, Math.Sqrt(rr), converged);
    }
}
