using Bilevel.LinearSolvers;
using MathNet.Numerics.LinearAlgebra;

namespace Bilevel.Tests.TestSupport;

/// <summary>A dense matrix as an <see cref="ILinearOperator"/>, counting its applications.</summary>
public sealed class MatrixOperator(Matrix<double> matrix) : ILinearOperator
{
    public int Dimension => matrix.RowCount;

    /// <summary>How many times <see cref="Apply"/> ran.</summary>
    public int Applications { get; private set; }

    public void Apply(ReadOnlySpan<double> v, Span<double> result)
    {
        Applications++;
        var product = matrix * Vector<double>.Build.DenseOfArray(v.ToArray());
        product.AsArray().CopyTo(result);
    }

    /// <summary>A symmetric positive-definite matrix U diag(1 … κ) Uᵀ with log-spaced eigenvalues and a random orthogonal U.</summary>
    public static Matrix<double> RandomSpd(int dimension, double conditionNumber, int seed)
    {
        var gaussian = Matrix<double>.Build.Dense(dimension, dimension, TestProblems.RandomVector(dimension * dimension, seed));
        var q = gaussian.QR().Q;
        var eigen = Vector<double>.Build.Dense(dimension,
            i => Math.Pow(conditionNumber, dimension == 1 ? 0 : i / (double)(dimension - 1)));
        var a = q * Matrix<double>.Build.DenseOfDiagonalVector(eigen) * q.Transpose();
        return 0.5 * (a + a.Transpose());
    }
}
