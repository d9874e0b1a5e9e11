using System.Numerics.Tensors;
using MathNet.Numerics.LinearAlgebra;

namespace Bilevel.Numerics;

/// <summary>
/// Allocation-free products of MathNet dense matrices (column-major storage) with spans, on SIMD kernels.
/// </summary>
public static class DenseOps
{
    /// <summary>result = M v.</summary>
    public static void Multiply(Matrix<double> m, ReadOnlySpan<double> v, Span<double> result)
    {
        result.Clear();
        MultiplyAdd(m, v, result);
    }

    /// <summary>result += M v.</summary>
    public static void MultiplyAdd(Matrix<double> m, ReadOnlySpan<double> v, Span<double> result)
    {
        var values = Storage(m);
        var rows = m.RowCount;
        for (var j = 0; j < m.ColumnCount; j++)
        {
            var column = values.Slice(j * rows, rows);
            TensorPrimitives.MultiplyAdd(column, v[j], result, result);
        }
    }

    /// <summary>result = Mᵀ u.</summary>
    public static void TransposeMultiply(Matrix<double> m, ReadOnlySpan<double> u, Span<double> result)
    {
        var values = Storage(m);
        var rows = m.RowCount;
        for (var j = 0; j < m.ColumnCount; j++)
        {
            result[j] = TensorPrimitives.Dot(values.Slice(j * rows, rows), u);
        }
    }

    /// <summary>result += Mᵀ u.</summary>
    public static void TransposeMultiplyAdd(Matrix<double> m, ReadOnlySpan<double> u, Span<double> result)
    {
        var values = Storage(m);
        var rows = m.RowCount;
        for (var j = 0; j < m.ColumnCount; j++)
        {
            result[j] += TensorPrimitives.Dot(values.Slice(j * rows, rows), u);
        }
    }

    /// <summary>aᵀ M b, without temporaries.</summary>
    public static double Bilinear(Matrix<double> m, ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        var values = Storage(m);
        var rows = m.RowCount;
        var sum = 0.0;
        for (var j = 0; j < m.ColumnCount; j++)
        {
            sum += b[j] * TensorPrimitives.Dot(values.Slice(j * rows, rows), a);
        }

        return sum;
    }

    /// <summary>The column-major storage of a dense matrix.</summary>
    public static ReadOnlySpan<double> Storage(Matrix<double> m) =>
        m.Storage is MathNet.Numerics.LinearAlgebra.Storage.DenseColumnMajorMatrixStorage<double> dense
            ? dense.Data
            : throw new ArgumentException("expected a dense matrix", nameof(m));
}
