namespace Bilevel.Problems;

/// <summary>
/// A problem whose lower-level solution and hypergradient are known in closed form. These are ground truth for
/// tests and for plotting true errors (‖∇Φ‖, ‖y − y*‖); calls are not counted as oracle calls.
/// </summary>
public interface IExactBilevelProblem
{
    /// <summary>Writes y*(x) = argmin_y g(x, y).</summary>
    void ExactLowerSolution(ReadOnlySpan<double> x, Span<double> lowerSolution);

    /// <summary>Writes ∇Φ(x) = ∇x f − ∇²xy g [∇²yy g]⁻¹ ∇y f, all at (x, y*(x)).</summary>
    void ExactHypergradient(ReadOnlySpan<double> x, Span<double> hypergradient);

    /// <summary>Φ(x) = f(x, y*(x)).</summary>
    double ExactUpperObjective(ReadOnlySpan<double> x);

    /// <summary>
    /// Bounds on the spectrum of ∇²yy g at x (μ the strong convexity, L the smoothness constant of g in y), for
    /// choosing step sizes below 1/L.
    /// </summary>
    (double StrongConvexity, double Smoothness) LowerCurvature(ReadOnlySpan<double> x);
}
