using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Bilevel.Problems.HyperCleaning;

/// <summary>
/// The skinny float32 products of <see cref="WeightedSoftmaxRegression{T}"/> as AVX2/FMA register-blocked kernels on
/// rows picked through an index list (no gather copy): logits z = X_B Wᵀ for groups of <see cref="Group"/> outputs
/// (two rows × five outputs of 8-lane partial dot products, then a horizontal sum), and the accumulation
/// G += Rᵀ X_B (five outputs × 16 features held in registers over a block of rows). Every output is a fixed sequence
/// of operations, so results do not depend on threads or timing.
/// </summary>
internal static unsafe class SoftmaxKernels
{
    /// <summary>Outputs per register block: weight and residual layouts are padded to a multiple of this.</summary>
    public const int Group = 5;

    /// <summary>True where the kernels can run (x64 with AVX2 and FMA).</summary>
    public static bool IsSupported => Avx2.IsSupported && Fma.IsSupported;

    /// <summary>
    /// z[r·zStride + g·5 + k] = ⟨x_{rows[r]}, w_{g·5+k}⟩ for r &lt; <paramref name="count"/>, groups g &lt; <paramref name="groups"/>;
    /// <paramref name="rows"/> are pointers to feature rows of length <paramref name="d"/>, <paramref name="w"/> holds
    /// groups·5 weight rows of length d. While it works on rows r and r + 1 it prefetches rows r + 2 and r + 3, which
    /// may lie beyond <paramref name="count"/> up to <paramref name="available"/> (the caller's next block).
    /// </summary>
    public static void Logits(float** rows, int count, int available, float* w, int d, int groups, float* z, int zStride)
    {
        var r = 0;
        for (; r + 1 < count; r += 2)
        {
            var p0 = r + 2 < available ? rows[r + 2] : rows[r];
            var p1 = r + 3 < available ? rows[r + 3] : p0;
            Logits2<Prefetch>(rows[r], rows[r + 1], w, d, z + (r * zStride), z + ((r + 1) * zStride), p0, p1);
            for (var g = 1; g < groups; g++)
            {
                Logits2<NoPrefetch>(rows[r], rows[r + 1], w + (g * Group * d), d, z + (r * zStride) + (g * Group), z + ((r + 1) * zStride) + (g * Group), p0, p1);
            }
        }

        if (r < count)
        {
            for (var g = 0; g < groups; g++)
            {
                Logits1(rows[r], w + (g * Group * d), d, z + (r * zStride) + (g * Group));
            }
        }
    }

    /// <summary>
    /// G[(g·5+k)·d + j] += Σ_r res[r·resStride + g·5 + k] · x_{rows[r]}[j] for every group g &lt; <paramref name="groups"/>.
    /// </summary>
    public static void Accumulate(float** rows, int count, float* res, int resStride, int d, int groups, float* gradient)
    {
        for (var g = 0; g < groups; g++)
        {
            var gg = gradient + (g * Group * d);
            var rg = res + (g * Group);
            var j = 0;
            for (; j + 16 <= d; j += 16)
            {
                Accumulate16(rows, count, rg, resStride, d, j, gg);
            }

            for (; j + 8 <= d; j += 8)
            {
                Accumulate8(rows, count, rg, resStride, d, j, gg);
            }

            for (; j < d; j++)
            {
                float a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0;
                for (var i = 0; i < count; i++)
                {
                    var x = rows[i][j];
                    var ri = rg + (i * resStride);
                    a0 += ri[0] * x;
                    a1 += ri[1] * x;
                    a2 += ri[2] * x;
                    a3 += ri[3] * x;
                    a4 += ri[4] * x;
                }

                gg[j] += a0;
                gg[d + j] += a1;
                gg[(2 * d) + j] += a2;
                gg[(3 * d) + j] += a3;
                gg[(4 * d) + j] += a4;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Logits2<TPrefetch>(float* x0, float* x1, float* w, int d, float* z0, float* z1, float* p0, float* p1)
        where TPrefetch : struct, IPrefetchChoice
    {
        float* w0 = w, w1 = w + d, w2 = w + (2 * d), w3 = w + (3 * d), w4 = w + (4 * d);
        Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default;
        Vector256<float> b0 = default, b1 = default, b2 = default, b3 = default, b4 = default;
        var j = 0;
        for (; j + 8 <= d; j += 8)
        {
            // One 64-byte line of the next two rows every two steps each (only in the first pass over these rows).
            if (TPrefetch.Enabled)
            {
                Sse.Prefetch0(((j & 8) == 0 ? p0 : p1) + (j & ~8));
            }

            var u = Avx.LoadVector256(x0 + j);
            var v = Avx.LoadVector256(x1 + j);
            var t = Avx.LoadVector256(w0 + j);
            a0 = Fma.MultiplyAdd(u, t, a0);
            b0 = Fma.MultiplyAdd(v, t, b0);
            t = Avx.LoadVector256(w1 + j);
            a1 = Fma.MultiplyAdd(u, t, a1);
            b1 = Fma.MultiplyAdd(v, t, b1);
            t = Avx.LoadVector256(w2 + j);
            a2 = Fma.MultiplyAdd(u, t, a2);
            b2 = Fma.MultiplyAdd(v, t, b2);
            t = Avx.LoadVector256(w3 + j);
            a3 = Fma.MultiplyAdd(u, t, a3);
            b3 = Fma.MultiplyAdd(v, t, b3);
            t = Avx.LoadVector256(w4 + j);
            a4 = Fma.MultiplyAdd(u, t, a4);
            b4 = Fma.MultiplyAdd(v, t, b4);
        }

        float s0 = Vector256.Sum(a0), s1 = Vector256.Sum(a1), s2 = Vector256.Sum(a2), s3 = Vector256.Sum(a3), s4 = Vector256.Sum(a4);
        float t0 = Vector256.Sum(b0), t1 = Vector256.Sum(b1), t2 = Vector256.Sum(b2), t3 = Vector256.Sum(b3), t4 = Vector256.Sum(b4);
        for (; j < d; j++)
        {
            float u = x0[j], v = x1[j];
            s0 += u * w0[j];
            s1 += u * w1[j];
            s2 += u * w2[j];
            s3 += u * w3[j];
            s4 += u * w4[j];
            t0 += v * w0[j];
            t1 += v * w1[j];
            t2 += v * w2[j];
            t3 += v * w3[j];
            t4 += v * w4[j];
        }

        z0[0] = s0;
        z0[1] = s1;
        z0[2] = s2;
        z0[3] = s3;
        z0[4] = s4;
        z1[0] = t0;
        z1[1] = t1;
        z1[2] = t2;
        z1[3] = t3;
        z1[4] = t4;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Logits1(float* x0, float* w, int d, float* z0)
    {
        float* w0 = w, w1 = w + d, w2 = w + (2 * d), w3 = w + (3 * d), w4 = w + (4 * d);
        Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default;
        var j = 0;
        for (; j + 8 <= d; j += 8)
        {
            var u = Avx.LoadVector256(x0 + j);
            a0 = Fma.MultiplyAdd(u, Avx.LoadVector256(w0 + j), a0);
            a1 = Fma.MultiplyAdd(u, Avx.LoadVector256(w1 + j), a1);
            a2 = Fma.MultiplyAdd(u, Avx.LoadVector256(w2 + j), a2);
            a3 = Fma.MultiplyAdd(u, Avx.LoadVector256(w3 + j), a3);
            a4 = Fma.MultiplyAdd(u, Avx.LoadVector256(w4 + j), a4);
        }

        float s0 = Vector256.Sum(a0), s1 = Vector256.Sum(a1), s2 = Vector256.Sum(a2), s3 = Vector256.Sum(a3), s4 = Vector256.Sum(a4);
        for (; j < d; j++)
        {
            var u = x0[j];
            s0 += u * w0[j];
            s1 += u * w1[j];
            s2 += u * w2[j];
            s3 += u * w3[j];
            s4 += u * w4[j];
        }

        z0[0] = s0;
        z0[1] = s1;
        z0[2] = s2;
        z0[3] = s3;
        z0[4] = s4;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Accumulate16(float** rows, int count, float* res, int resStride, int d, int j, float* g)
    {
        float* g0 = g + j, g1 = g + d + j, g2 = g + (2 * d) + j, g3 = g + (3 * d) + j, g4 = g + (4 * d) + j;
        var a0 = Avx.LoadVector256(g0);
        var b0 = Avx.LoadVector256(g0 + 8);
        var a1 = Avx.LoadVector256(g1);
        var b1 = Avx.LoadVector256(g1 + 8);
        var a2 = Avx.LoadVector256(g2);
        var b2 = Avx.LoadVector256(g2 + 8);
        var a3 = Avx.LoadVector256(g3);
        var b3 = Avx.LoadVector256(g3 + 8);
        var a4 = Avx.LoadVector256(g4);
        var b4 = Avx.LoadVector256(g4 + 8);
        for (var i = 0; i < count; i++)
        {
            var x = rows[i] + j;
            var u = Avx.LoadVector256(x);
            var v = Avx.LoadVector256(x + 8);
            var r = res + (i * resStride);
            var t = Vector256.Create(r[0]);
            a0 = Fma.MultiplyAdd(t, u, a0);
            b0 = Fma.MultiplyAdd(t, v, b0);
            t = Vector256.Create(r[1]);
            a1 = Fma.MultiplyAdd(t, u, a1);
            b1 = Fma.MultiplyAdd(t, v, b1);
            t = Vector256.Create(r[2]);
            a2 = Fma.MultiplyAdd(t, u, a2);
            b2 = Fma.MultiplyAdd(t, v, b2);
            t = Vector256.Create(r[3]);
            a3 = Fma.MultiplyAdd(t, u, a3);
            b3 = Fma.MultiplyAdd(t, v, b3);
            t = Vector256.Create(r[4]);
            a4 = Fma.MultiplyAdd(t, u, a4);
            b4 = Fma.MultiplyAdd(t, v, b4);
        }

        Avx.Store(g0, a0);
        Avx.Store(g0 + 8, b0);
        Avx.Store(g1, a1);
        Avx.Store(g1 + 8, b1);
        Avx.Store(g2, a2);
        Avx.Store(g2 + 8, b2);
        Avx.Store(g3, a3);
        Avx.Store(g3 + 8, b3);
        Avx.Store(g4, a4);
        Avx.Store(g4 + 8, b4);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Accumulate8(float** rows, int count, float* res, int resStride, int d, int j, float* g)
    {
        float* g0 = g + j, g1 = g + d + j, g2 = g + (2 * d) + j, g3 = g + (3 * d) + j, g4 = g + (4 * d) + j;
        var a0 = Avx.LoadVector256(g0);
        var a1 = Avx.LoadVector256(g1);
        var a2 = Avx.LoadVector256(g2);
        var a3 = Avx.LoadVector256(g3);
        var a4 = Avx.LoadVector256(g4);
        for (var i = 0; i < count; i++)
        {
            var u = Avx.LoadVector256(rows[i] + j);
            var r = res + (i * resStride);
            a0 = Fma.MultiplyAdd(Vector256.Create(r[0]), u, a0);
            a1 = Fma.MultiplyAdd(Vector256.Create(r[1]), u, a1);
            a2 = Fma.MultiplyAdd(Vector256.Create(r[2]), u, a2);
            a3 = Fma.MultiplyAdd(Vector256.Create(r[3]), u, a3);
            a4 = Fma.MultiplyAdd(Vector256.Create(r[4]), u, a4);
        }

        Avx.Store(g0, a0);
        Avx.Store(g1, a1);
        Avx.Store(g2, a2);
        Avx.Store(g3, a3);
        Avx.Store(g4, a4);
    }

    /// <summary>A compile-time switch: the JIT specialises <c>Logits2</c> per struct and drops the dead branch.</summary>
    private interface IPrefetchChoice
    {
        static abstract bool Enabled { get; }
    }

    private readonly struct Prefetch : IPrefetchChoice
    {
        public static bool Enabled => true;
    }

    private readonly struct NoPrefetch : IPrefetchChoice
    {
        public static bool Enabled => false;
    }
}
