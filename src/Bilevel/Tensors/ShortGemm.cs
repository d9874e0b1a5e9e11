using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using SimdVector = System.Numerics.Vector;

namespace Bilevel.Tensors;

/// <summary>
/// Row-major matrix products with a short inner or short output dimension (at most <see cref="MaximumShort"/>), on
/// <see cref="Vector{T}"/> lanes, single-threaded and allocation-free, so that several threads can run them at once
/// (OpenBLAS is called from one thread at a time). They serve the first convolution of an image network, whose patch
/// has C·kh·kw = 9 entries for one input channel: there OpenBLAS packs both operands on every one of the batch's
/// small products.
/// </summary>
public static class ShortGemm
{
    /// <summary>The largest short dimension the kernels accept.</summary>
    public const int MaximumShort = 32;

    /// <summary>
    /// C [m × n] ← A [m × k] · B [k × n] (or C += A B with <paramref name="accumulate"/>), k ≤ <see cref="MaximumShort"/>;
    /// row strides k, n and n. Two rows of C per sweep share B's loads; every entry, in the lanes and in the tail
    /// alike, sums its k products in order.
    /// </summary>
    public static void Multiply<T>(int m, int n, int k, ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, bool accumulate)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (m < 0 || n < 0 || k < 0 || k > MaximumShort || a.Length < m * k || b.Length < k * n || c.Length < m * n)
        {
            throw new ArgumentException($"ShortGemm: A {m}×{k}, B {k}×{n}, C {m}×{n} do not fit spans of {a.Length}, {b.Length}, {c.Length} (k ≤ {MaximumShort})");
        }

        var width = Vector<T>.Count;
        Span<Vector<T>> broadcast = stackalloc Vector<T>[2 * MaximumShort];
        ref var pb = ref MemoryMarshal.GetReference(b);
        for (var i = 0; i < m; i += 2)
        {
            var pair = i + 1 < m;
            var second = pair ? i + 1 : i;
            for (var p = 0; p < k; p++)
            {
                broadcast[p] = new Vector<T>(a[(i * k) + p]);
                broadcast[MaximumShort + p] = new Vector<T>(a[(second * k) + p]);
            }

            ref var c0 = ref Unsafe.Add(ref MemoryMarshal.GetReference(c), i * n);
            ref var c1 = ref Unsafe.Add(ref MemoryMarshal.GetReference(c), second * n);
            var q = 0;
            for (; q <= n - width; q += width)
            {
                var acc0 = accumulate ? SimdVector.LoadUnsafe(ref c0, (nuint)q) : Vector<T>.Zero;
                var acc1 = accumulate ? SimdVector.LoadUnsafe(ref c1, (nuint)q) : Vector<T>.Zero;
                for (var p = 0; p < k; p++)
                {
                    var row = SimdVector.LoadUnsafe(ref pb, (nuint)((p * n) + q));
                    acc0 += broadcast[p] * row;
                    acc1 += broadcast[MaximumShort + p] * row;
                }

                // With an odd m the last sweep computes its row twice (c1 aliases c0); the second store is the same value.
                SimdVector.StoreUnsafe(acc0, ref c0, (nuint)q);
                if (pair)
                {
                    SimdVector.StoreUnsafe(acc1, ref c1, (nuint)q);
                }
            }

            for (; q < n; q++)
            {
                var sum0 = accumulate ? Unsafe.Add(ref c0, q) : T.Zero;
                var sum1 = accumulate ? Unsafe.Add(ref c1, q) : T.Zero;
                for (var p = 0; p < k; p++)
                {
                    var value = Unsafe.Add(ref pb, (p * n) + q);
                    sum0 += a[(i * k) + p] * value;
                    sum1 += a[(second * k) + p] * value;
                }

                Unsafe.Add(ref c0, q) = sum0;
                if (pair)
                {
                    Unsafe.Add(ref c1, q) = sum1;
                }
            }
        }
    }

    /// <summary>
    /// C [m × k] += A [m × n] · B [k × n]ᵀ, k ≤ <see cref="MaximumShort"/> (row strides n, n and k): every entry is a
    /// dot product of two rows of length n: four rows of B per sweep of a row of A (one lane accumulator per entry,
    /// summed across lanes at the end, then the tail in order), the last k mod 4 rows one by one.
    /// </summary>
    public static void MultiplyAddTransposed<T>(int m, int n, int k, ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (m < 0 || n < 0 || k < 0 || k > MaximumShort || a.Length < m * n || b.Length < k * n || c.Length < m * k)
        {
            throw new ArgumentException($"ShortGemm: A {m}×{n}, B {k}×{n}, C {m}×{k} do not fit spans of {a.Length}, {b.Length}, {c.Length} (k ≤ {MaximumShort})");
        }

        for (var i = 0; i < m; i++)
        {
            var row = a.Slice(i * n, n);
            var p = 0;
            for (; p + 3 < k; p += 4)
            {
                var (s0, s1, s2, s3) = Dot4(row, b.Slice(p * n, 4 * n), n);
                c[(i * k) + p] += s0;
                c[(i * k) + p + 1] += s1;
                c[(i * k) + p + 2] += s2;
                c[(i * k) + p + 3] += s3;
            }

            for (; p < k; p++)
            {
                c[(i * k) + p] += System.Numerics.Tensors.TensorPrimitives.Dot(row, b.Slice(p * n, n));
            }
        }
    }

    /// <summary>⟨a, b_r⟩ for the four rows b_r of <paramref name="b"/> (row stride n).</summary>
    private static (T, T, T, T) Dot4<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, int n)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var width = Vector<T>.Count;
        ref var pa = ref MemoryMarshal.GetReference(a);
        ref var b0 = ref MemoryMarshal.GetReference(b);
        ref var b1 = ref Unsafe.Add(ref b0, n);
        ref var b2 = ref Unsafe.Add(ref b0, 2 * n);
        ref var b3 = ref Unsafe.Add(ref b0, 3 * n);
        var acc0 = Vector<T>.Zero;
        var acc1 = Vector<T>.Zero;
        var acc2 = Vector<T>.Zero;
        var acc3 = Vector<T>.Zero;
        var q = 0;
        for (; q <= n - width; q += width)
        {
            var x = SimdVector.LoadUnsafe(ref pa, (nuint)q);
            acc0 += x * SimdVector.LoadUnsafe(ref b0, (nuint)q);
            acc1 += x * SimdVector.LoadUnsafe(ref b1, (nuint)q);
            acc2 += x * SimdVector.LoadUnsafe(ref b2, (nuint)q);
            acc3 += x * SimdVector.LoadUnsafe(ref b3, (nuint)q);
        }

        T s0 = SimdVector.Sum(acc0), s1 = SimdVector.Sum(acc1), s2 = SimdVector.Sum(acc2), s3 = SimdVector.Sum(acc3);
        for (; q < n; q++)
        {
            var x = Unsafe.Add(ref pa, q);
            s0 += x * Unsafe.Add(ref b0, q);
            s1 += x * Unsafe.Add(ref b1, q);
            s2 += x * Unsafe.Add(ref b2, q);
            s3 += x * Unsafe.Add(ref b3, q);
        }

        return (s0, s1, s2, s3);
    }
}
