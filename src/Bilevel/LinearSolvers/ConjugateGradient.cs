using System.Numerics.Tensors;
using Bilevel.Numerics;

namespace Bilevel.LinearSolvers;

/// <summary>Options of <see cref="ConjugateGradient"/>.</summary>
/// <param name="Iterations">Maximum CG iterations N (paper 002 Alg. 1: "N steps of CG"; paper 000 §3: K ≈ 10 in its experiments).</param>
/// <param name="RelativeTolerance">Stop once ‖b − A v‖ ≤ tol · ‖b‖ (0: run all iterations unless the residual vanishes).</param>
/// <param name="WarmStart">Start from the previous solution (paper 002 AID-BiO: v_k^0 = v_{k−1}^N).</param>
public sealed record ConjugateGradientOptions(int Iterations, double RelativeTolerance = 0, bool WarmStart = false)
{
    /// <summary>
    /// On non-positive curvature pᵀAp ≤ 0 (a non-convex lower level, such as a CNN's), stop and return the iterate
    /// so far (truncated CG, as Steihaug's method does inside its trust region) instead of throwing.
    /// </summary>
    public bool StopAtNegativeCurvature { get; init; }
}

/// <summary>
/// Linear conjugate gradient (Nocedal &amp; Wright, Alg. 5.2), as cited by paper 000 §3 (Eq. 4) and used by paper 002
/// Algorithm 1 (AID-BiO with warm-started CG). In exact arithmetic it solves an n×n system in at most n iterations.
/// Cost: N operator applications from a cold start, N + 1 with a warm start (the initial residual).
/// </summary>
public sealed class ConjugateGradient : ILinearSystemSolver
{
    /// <summary>A residual ‖r‖ ≤ this × ‖b‖ is treated as solved when the curvature check can no longer be trusted.</summary>
    private const double RoundingFloor = 1e-13;

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
        var normB = Vectors.Norm(b);
        var target = Options.RelativeTolerance * normB;
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

            // pᵀAp and rᵀr both scale with ‖p‖², so divide by s = max|pᵢ| before multiplying: pᵀAp can underflow
            // to 0 for tiny but positive-definite systems, or once the residual reaches the rounding floor.
            var scale = Math.Abs(TensorPrimitives.MaxMagnitude<double>(p)); // MaxMagnitude keeps the sign
            var curvature = 0.0;
            for (var i = 0; i < p.Length; i++)
            {
                curvature += p[i] / scale * ap[i];
            }

            if (!(curvature > 0))
            {
                if (Math.Sqrt(rr) <= RoundingFloor * normB)
                {
                    // The residual is already at the rounding floor: nothing left to solve.
                    converged = true;
                    break;
                }

                if (Options.StopAtNegativeCurvature)
                {
                    break;
                }

                throw new InvalidOperationException($"CG met non-positive curvature pᵀAp = {curvature * scale:G4}: the operator is not positive definite");
            }

            var step = rr / scale / curvature;
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
