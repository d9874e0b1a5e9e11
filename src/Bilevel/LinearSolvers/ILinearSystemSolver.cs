namespace Bilevel.LinearSolvers;

/// <summary>The outcome of one linear solve.</summary>
/// <param name="Iterations">Iterations performed.</param>
/// <param name="OperatorApplications">Products A·v computed (HVPs, when A is the lower Hessian).</param>
/// <param name="ResidualNorm">‖b − A v‖ where the method tracks it (CG), otherwise NaN.</param>
/// <param name="Converged">True when a tolerance stopped the method early.</param>
public readonly record struct LinearSolveResult(int Iterations, int OperatorApplications, double ResidualNorm, bool Converged);

/// <summary>
/// Approximately solves A v = b for a symmetric positive-definite operator A given matrix-free. These are the
/// building blocks that the approximate-implicit-differentiation hypergradients (AID) plug in.
/// </summary>
public interface ILinearSystemSolver
{
    /// <summary>A short name for tables ("CG", "Neumann", …).</summary>
    string Name { get; }

    /// <summary>When true, <c>solution</c> holds the initial guess on entry to <see cref="Solve"/>; otherwise the solve starts at 0.</summary>
    bool WarmStart { get; }

    /// <summary>The number of operator applications one solve costs, as a formula of the options.</summary>
    string CostFormula { get; }

    /// <summary>Writes the approximate solution of A v = b into <paramref name="solution"/>.</summary>
    LinearSolveResult Solve(ILinearOperator a, ReadOnlySpan<double> b, Span<double> solution);
}
