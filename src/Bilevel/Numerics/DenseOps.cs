using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using MathNet.Numerics.LinearAlgebra;
using SimdVector = System.Numerics.Vector;

namespace Bilevel.Numerics;

/// <summary>
/// Allocation-free products of MathNet dense matrices (column-major storage) with spans, on SIMD kernels.
/// The loops are written out on <see cref="System.Numerics.Vector{T}"/> rather than one <c>TensorPrimitives</c> call per column:
/// the problems here are small (the solver-check quadratic is 10 × 20), where the overhead of 20 short calls
/// dominated (a counted 20 × 20 HVP took 0.43 µs through them on the 2-vCPU Zen 1 machine of the README).
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
        MultiplyAddColumnMajor(Storage(m), m.RowCount, m.ColumnCount, v, result);
    }

    /// <summary>result = Mᵀ u.</summary>
    public static void TransposeMultiply(Matrix<double> m, ReadOnlySpan<double> u, Span<double> result)
    {
        result.Slice(0, m.ColumnCount).Clear();
        TransposeMultiplyAdd(m, u, result);
    }

    /// <summary>result += Mᵀ u.</summary>
    public static void TransposeMultiplyAdd(Matrix<double> m, ReadOnlySpan<double> u, Span<double> result)
    {
        MultiplyAddRowMajor(Storage(m), m.ColumnCount, m.RowCount, u, result);
    }

    /// <summary>aᵀ M b, without temporaries.</summary>
    public static double Bilinear(Matrix<double> m, ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        var values = Storage(m);
        var rows = m.RowCount;
        var sum = 0.0;
        for (var j = 0; j < m.ColumnCount; j++)
        {
            sum += b[j] * Dot(values.Slice(j * rows, rows), a);
        }

        return sum;
    }

    /// <summary>
    /// result += M v for M stored column by column in <paramref name="values"/> (<paramref name="rows"/> ×
    /// <paramref name="columns"/>): result += Σ_j v_j M[:, j], each element as (m · v_j) + r, unfused.
    /// </summary>
    public static void MultiplyAddColumnMajor(ReadOnlySpan<double> values, int rows, int columns, ReadOnlySpan<double> v, Span<double> result)
    {
        Check(values, rows, columns, v, columns, result, rows);
        var width = System.Numerics.Vector<double>.Count;
        ref var r = ref MemoryMarshal.GetReference(result);
        for (var j = 0; j < columns; j++)
        {
            var s = v[j];
            var sv = new System.Numerics.Vector<double>(s);
            ref var c = ref Unsafe.Add(ref MemoryMarshal.GetReference(values), j * rows);
            var i = 0;
            for (; i <= rows - width; i += width)
            {
                var sum = (SimdVector.LoadUnsafe(ref c, (nuint)i) * sv) + SimdVector.LoadUnsafe(ref r, (nuint)i);
                SimdVector.StoreUnsafe(sum, ref r, (nuint)i);
            }

            for (; i < rows; i++)
            {
                Unsafe.Add(ref r, i) += Unsafe.Add(ref c, i) * s;
            }
        }
    }

    /// <summary>
    /// result += M v for M stored row by row in <paramref name="values"/> (<paramref name="rows"/> ×
    /// <paramref name="columns"/>): result_i += ⟨M[i, :], v⟩. The same loop gives Mᵀ u for a column-major M.
    /// </summary>
    public static void MultiplyAddRowMajor(ReadOnlySpan<double> values, int rows, int columns, ReadOnlySpan<double> v, Span<double> result)
    {
        Check(values, rows, columns, v, columns, result, rows);
        for (var i = 0; i < rows; i++)
        {
            result[i] += Dot(values.Slice(i * columns, columns), v);
        }
    }

    /// <summary>⟨a, b⟩ over a's length on <see cref="System.Numerics.Vector{T}"/> lanes (two accumulators), then the tail.</summary>
    public static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        if (b.Length < a.Length)
        {
            throw new ArgumentException($"b has {b.Length} elements, fewer than a's {a.Length}", nameof(b));
        }

        var width = System.Numerics.Vector<double>.Count;
        ref var pa = ref MemoryMarshal.GetReference(a);
        ref var pb = ref MemoryMarshal.GetReference(b);
        var n = a.Length;
        var acc0 = System.Numerics.Vector<double>.Zero;
        var acc1 = System.Numerics.Vector<double>.Zero;
        var i = 0;
        for (; i <= n - (2 * width); i += 2 * width)
        {
            acc0 += SimdVector.LoadUnsafe(ref pa, (nuint)i) * SimdVector.LoadUnsafe(ref pb, (nuint)i);
            acc1 += SimdVector.LoadUnsafe(ref pa, (nuint)(i + width)) * SimdVector.LoadUnsafe(ref pb, (nuint)(i + width));
        }

        for (; i <= n - width; i += width)
        {
            acc0 += SimdVector.LoadUnsafe(ref pa, (nuint)i) * SimdVector.LoadUnsafe(ref pb, (nuint)i);
        }

        var sum = SimdVector.Sum(acc0 + acc1);
        for (; i < n; i++)
        {
            sum += Unsafe.Add(ref pa, i) * Unsafe.Add(ref pb, i);
        }

        return sum;
    }

    private static void Check(ReadOnlySpan<double> values, int rows, int columns, ReadOnlySpan<double> v, int vLength, Span<double> result, int resultLength)
    {
        if (rows < 0 || columns < 0 || values.Length < (long)rows * columns)
        {
            throw new ArgumentException($"a {rows} × {columns} matrix needs {(long)rows * columns} values, got {values.Length}", nameof(values));
        }

        if (v.Length < vLength)
        {
            throw new ArgumentException($"the vector has {v.Length} elements, the matrix {vLength} columns", nameof(v));
        }

        if (result.Length < resultLength)
        {
            throw new ArgumentException($"the result has {result.Length} elements, the matrix {resultLength} rows", nameof(result));
        }
    }

    /// <summary>The storage of a dense vector.</summary>
    public static ReadOnlySpan<double> Storage(Vector<double> v) =>
        v.Storage is MathNet.Numerics.LinearAlgebra.Storage.DenseVectorStorage<double> dense
            ? dense.Data
            : throw new ArgumentException("expected a dense vector", nameof(v));

    /// <summary>The column-major storage of a dense matrix.</summary>
    public static ReadOnlySpan<double> Storage(Matrix<double> m) =>
        m.Storage is MathNet.Numerics.LinearAlgebra.Storage.DenseColumnMajorMatrixStorage<double> dense
            ? dense.Data
            : throw new ArgumentException("expected a dense matrix", nameof(m));
}
