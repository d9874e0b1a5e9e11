using Bilevel.Numerics;
using MathNet.Numerics.LinearAlgebra;

namespace Bilevel.Problems;

/// <summary>
/// q(x, y) = ½ xᵀ Qxx x + xᵀ Qxy y + ½ yᵀ Qyy y + bxᵀ x + byᵀ y + c, with Qxx (dx×dx) and Qyy (dy×dy) symmetric.
/// </summary>
/// <param name="Qxx">The x–x block of the Hessian (symmetric, dx×dx).</param>
/// <param name="Qxy">The x–y block of the Hessian (dx×dy); ∇²xy q · v = Qxy v.</param>
/// <param name="Qyy">The y–y block of the Hessian (symmetric, dy×dy).</param>
/// <param name="Bx">The linear term in x (length dx).</param>
/// <param name="By">The linear term in y (length dy).</param>
/// <param name="Constant">The constant term c.</param>
public sealed record QuadraticForm(
    Matrix<double> Qxx,
    Matrix<double> Qxy,
    Matrix<double> Qyy,
    Vector<double> Bx,
    Vector<double> By,
    double Constant = 0)
{
    /// <summary>dx.</summary>
    public int UpperDimension => Qxx.RowCount;

    /// <summary>dy.</summary>
    public int LowerDimension => Qyy.RowCount;

    /// <summary>q(x, y).</summary>
    public double Value(ReadOnlySpan<double> x, ReadOnlySpan<double> y) =>
        0.5 * DenseOps.Bilinear(Qxx, x, x)
        + DenseOps.Bilinear(Qxy, x, y)
        + 0.5 * DenseOps.Bilinear(Qyy, y, y)
        + Dot(Bx, x) + Dot(By, y) + Constant;

    /// <summary>Writes ∇x q and ∇y q; an empty span means that part is not wanted.</summary>
    public void Gradients(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> gradientX, Span<double> gradientY)
    {
        if (!gradientX.IsEmpty)
        {
            DenseOps.Multiply(Qxx, x, gradientX);
            DenseOps.MultiplyAdd(Qxy, y, gradientX);
            AddTo(Bx, gradientX);
        }

        if (!gradientY.IsEmpty)
        {
            DenseOps.Multiply(Qyy, y, gradientY);
            DenseOps.TransposeMultiplyAdd(Qxy, x, gradientY);
            AddTo(By, gradientY);
        }
    }

    private static double Dot(Vector<double> a, ReadOnlySpan<double> b) => DenseOps.Dot(DenseOps.Storage(a), b);

    private static void AddTo(Vector<double> a, Span<double> target) => Vectors.Axpy(1, DenseOps.Storage(a), target);

    /// <summary>Throws a clear error when the blocks' shapes disagree or a diagonal block is not symmetric.</summary>
    public void Validate(string role)
    {
        ArgumentNullException.ThrowIfNull(role);
        var dx = Qxx.RowCount;
        var dy = Qyy.RowCount;
        Require(Qxx.ColumnCount == dx, $"{role} Qxx is {Qxx.RowCount}×{Qxx.ColumnCount}, expected square");
        Require(Qyy.ColumnCount == dy, $"{role} Qyy is {Qyy.RowCount}×{Qyy.ColumnCount}, expected square");
        Require(Qxy.RowCount == dx && Qxy.ColumnCount == dy, $"{role} Qxy is {Qxy.RowCount}×{Qxy.ColumnCount}, expected {dx}×{dy}");
        Require(Bx.Count == dx, $"{role} Bx has length {Bx.Count}, expected {dx}");
        Require(By.Count == dy, $"{role} By has length {By.Count}, expected {dy}");
        Require(IsSymmetric(Qxx), $"{role} Qxx is not symmetric");
        Require(IsSymmetric(Qyy), $"{role} Qyy is not symmetric");
    }

    private static bool IsSymmetric(Matrix<double> m)
    {
        var scale = Math.Max(1.0, m.InfinityNorm());
        for (var i = 0; i < m.RowCount; i++)
        {
            for (var j = 0; j < i; j++)
            {
                if (Math.Abs(m[i, j] - m[j, i]) > 1e-12 * scale)
                {
                    return false;
                }
            }
        }

        return true;
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new ArgumentException(message);
        }
    }
}
