using System.Numerics;
using System.Numerics.Tensors;

namespace Bilevel.Tensors;

/// <summary>
/// The managed fallback of <see cref="Blas.Gemm{T}"/>: op(B) is packed row-major so the inner loop is a SIMD
/// multiply-add over contiguous rows (C[i, :] += A[i, p] · B[p, :]). Correct for every transpose case; several
/// times slower than OpenBLAS.
/// </summary>
internal static class ManagedGemm
{
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static void Multiply<T>(bool transposeA, bool transposeB, int m, int n, int k, T alpha,
        ReadOnlySpan<T> a, int lda, ReadOnlySpan<T> b, int ldb, T beta, Span<T> c, int ldc)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (var i = 0; i < m; i++)
        {
            var row = c.Slice(i * ldc, n);
            if (beta == T.Zero)
            {
                row.Clear();
            }
            else if (beta != T.One)
            {
                TensorPrimitives.Multiply(row, beta, row);
            }
        }

        if (k == 0 || alpha == T.Zero)
        {
            return;
        }

        // op(B) as a dense k×n row-major block.
        var packed = System.Buffers.ArrayPool<T>.Shared.Rent(k * n);
        try
        {
            var bp = packed.AsSpan(0, k * n);
            for (var p = 0; p < k; p++)
            {
                for (var j = 0; j < n; j++)
                {
                    bp[(p * n) + j] = transposeB ? b[(j * ldb) + p] : b[(p * ldb) + j];
                }
            }

            for (var i = 0; i < m; i++)
            {
                var row = c.Slice(i * ldc, n);
                for (var p = 0; p < k; p++)
                {
                    var aip = alpha * (transposeA ? a[(p * lda) + i] : a[(i * lda) + p]);
                    if (aip != T.Zero)
                    {
                        TensorPrimitives.MultiplyAdd(bp.Slice(p * n, n), aip, row, row);
                    }
                }
            }
        }
        finally
        {
            System.Buffers.ArrayPool<T>.Shared.Return(packed);
        }
    }
}
