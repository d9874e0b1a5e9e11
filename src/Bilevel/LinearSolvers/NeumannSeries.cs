using Bilevel.Numerics;

namespace Bilevel.LinearSolvers;

/// <summary>Options of <see cref="NeumannSeries"/>.</summary>
/// <param name="Iterations">Q, the number of operator applications; the series has Q + 1 terms.</param>
/// <param name="Step">η (paper 002) or β (paper 000): must satisfy η · λ_max(A) &lt; 1 for the series to converge.</param>
public sealed record NeumannSeriesOptions(int Iterations, double Step);

/// <summary>
/// Truncated Neumann series v = η Σ_{q=0}^{Q} (I − ηA)^q b ≈ A⁻¹ b: paper 000 Eq. 3 (with K = Q + 1 terms) and the
/// deterministic form of paper 002 Algorithm 3 (eq. 5 with one batch for every term). Always starts from 0.
/// Cost: Q operator applications.
/// </summary>
public sealed class NeumannSeries : ILinearSystemSolver
{
    private double[] _term = [];
    private double[] _product = [];

    public NeumannSeries(NeumannSeriesOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegative(options.Iterations);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.Step);
        Options = options;
    }

    public NeumannSeriesOptions Options { get; }

    public string Name => "Neumann";

    public bool WarmStart => false;

    public string CostFormula => "Q HVP";

    public LinearSolveResult Solve(ILinearOperator a, ReadOnlySpan<double> b, Span<double> solution)
    {
        ArgumentNullException.ThrowIfNull(a);
        var n = a.Dimension;
        Scratch.Ensure(ref _term, n);
        Scratch.Ensure(ref _product, n);
        var term = _term.AsSpan(0, n);
        var product = _product.AsSpan(0, n);
        var eta = Options.Step;

        // term_0 = b, v = η b; term_{q+1} = (I − ηA) term_q, v += η term_{q+1}.
        b.CopyTo(term);
        solution.Clear();
        Vectors.Axpy(eta, term, solution);
        for (var q = 0; q < Options.Iterations; q++)
        {
            a.Apply(term, product);
            Vectors.Axpy(-eta, product, term);
            Vectors.Axpy(eta, term, solution);
        }

        return new LinearSolveResult(Options.Iterations, Options.Iterations, double.NaN, false);
    }
}
