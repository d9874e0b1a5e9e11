using MathNet.Numerics.LinearAlgebra;

namespace Bilevel.LinearSolvers;

/// <summary>
/// Direct solve: forms A column by column from n operator applications (A e_j), symmetrizes it and solves by
/// Cholesky (MathNet.Numerics). Exact to rounding; meant for small n (tests, exact references, n ≲ 10³).
/// Cost: n operator applications.
/// </summary>
public sealed class CholeskySolver : ILinearSystemSolver
{
    public string Name => "Cholesky";

    public bool WarmStart => false;

    public string CostFormula => "dy HVP";

    public LinearSolveResult Solve(ILinearOperator a, ReadOnlySpan<double> b, Span<double> solution)
    {
        ArgumentNullException.ThrowIfNull(a);
        var n = a.Dimension;
        var matrix = Matrix<double>.Build.Dense(n, n);
        var unit = new double[n];
        var column = new double[n];
        for (var j = 0; j < n; j++)
        {
            unit[j] = 1;
            a.Apply(unit, column);
            unit[j] = 0;
            matrix.SetColumn(j, column);
        }

        var symmetric = 0.5 * (matrix + matrix.Transpose());
        var result = symmetric.Cholesky().Solve(Vector<double>.Build.DenseOfArray(b.ToArray()));
        result.AsArray().CopyTo(solution);
        return new LinearSolveResult(1, n, double.NaN, true);
    }
}
