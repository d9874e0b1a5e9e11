using Bilevel.Numerics;
using Bilevel.Problems;

namespace Bilevel.Solvers.Paper002;

/// <summary>
/// The randomized-truncation Neumann hypergradient of Ghadimi &amp; Wang (2018, eq. 2.7 / BSA) and Hong et al. (2020,
/// TTSA), the stochastic baselines of paper 002 (digest §2.5):
/// ∇̄f = ∇x F(x, y; ξ) − ∇²xy G(x, y; ζ₀) · N η Π_{i=1}^{p} (I − η ∇²yy G(x, y; ζ_i)) · ∇y F(x, y; ξ), with
/// p ~ Uniform{0, …, N − 1} and η = 1/L_g (GW) or c_h/L_g (Hong et al.); in expectation over p,
/// N η E Π = η Σ_{q=0}^{N−1} (I − η∇²yy g)^q ≈ [∇²yy g]⁻¹. A shared building block of <see cref="Bsa"/> and
/// <see cref="Ttsa"/>. Cost: 1 ∇x f + 1 ∇y f (one batch ξ) + p HVP (independent batches ζ_i) + 1 cross (batch ζ₀).
/// </summary>
public sealed class RandomizedNeumannEstimator
{
    private readonly double[] _adjoint;
    private readonly double[] _product;
    private readonly double[] _cross;

    /// <param name="problem">The problem (fixes the buffer sizes).</param>
    /// <param name="terms">N, the truncation level: p is drawn from {0, …, N − 1}.</param>
    /// <param name="step">η, the Neumann step (η · λ_max(∇²yy G) &lt; 2 keeps each factor a contraction).</param>
    public RandomizedNeumannEstimator(BilevelProblem problem, int terms, double step)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(terms);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(step);
        Terms = terms;
        Step = step;
        _adjoint = new double[problem.LowerDimension];
        _product = new double[problem.LowerDimension];
        _cross = new double[problem.UpperDimension];
    }

    /// <summary>N.</summary>
    public int Terms { get; }

    /// <summary>η.</summary>
    public double Step { get; }

    /// <summary>p of the last estimate (its number of HVPs).</summary>
    public int LastProductLength { get; private set; }

    /// <summary>
    /// Writes ∇̄f at (x, y) into <paramref name="hypergradient"/>, drawing p from <paramref name="random"/> and the
    /// batches from the sources (ξ from <paramref name="upper"/>, ζ_i from <paramref name="hessian"/>, ζ₀ from
    /// <paramref name="cross"/>).
    /// </summary>
    public void Estimate(BilevelProblem problem, ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> hypergradient,
        Random random, BatchSource upper, BatchSource hessian, BatchSource cross)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(random);
        ArgumentNullException.ThrowIfNull(upper);
        ArgumentNullException.ThrowIfNull(hessian);
        ArgumentNullException.ThrowIfNull(cross);
        var p = random.Next(Terms);
        LastProductLength = p;
        problem.UpperGradients(x, y, hypergradient, _adjoint, upper.Next());
        for (var i = 1; i <= p; i++)
        {
            problem.LowerHvp(x, y, _adjoint, _product, hessian.Next());
            Vectors.Axpy(-Step, _product, _adjoint);
        }

        // v = N η Π (…) ∇y F.
        var scale = Terms * Step;
        for (var j = 0; j < _adjoint.Length; j++)
        {
            _adjoint[j] *= scale;
        }

        problem.LowerCrossProduct(x, y, _adjoint, _cross, cross.Next());
        Vectors.Axpy(-1, _cross, hypergradient);
    }
}
