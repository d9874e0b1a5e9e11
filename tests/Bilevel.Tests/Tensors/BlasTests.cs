using Bilevel.Tensors;

namespace Bilevel.Tests.Tensors;

public sealed class BlasTests
{
    public static TheoryData<bool, bool> Transposes => new() { { false, false }, { true, false }, { false, true }, { true, true } };

    [Theory]
    [MemberData(nameof(Transposes))]
    public void Gemm_Double_MatchesTripleLoop(bool transposeA, bool transposeB)
    {
        const int m = 7, n = 9, k = 5;
        var (a, lda, b, ldb, c, expected) = Case(transposeA, transposeB, m, n, k, 0.5, 2.0);
        Blas.Gemm(transposeA, transposeB, m, n, k, 2.0, a, lda, b, ldb, 0.5, c, n);
        for (var i = 0; i < c.Length; i++)
        {
            Assert.Equal(expected[i], c[i], 1e-12);
        }
    }

    [Theory]
    [MemberData(nameof(Transposes))]
    public void ManagedGemm_Double_MatchesTripleLoop(bool transposeA, bool transposeB)
    {
        const int m = 6, n = 11, k = 4;
        var (a, lda, b, ldb, c, expected) = Case(transposeA, transposeB, m, n, k, 0.5, 2.0);
        ManagedGemm.Multiply(transposeA, transposeB, m, n, k, 2.0, a, lda, b, ldb, 0.5, c, n);
        for (var i = 0; i < c.Length; i++)
        {
            Assert.Equal(expected[i], c[i], 1e-12);
        }
    }

    [Fact]
    public void Gemm_Float_AgreesWithDouble()
    {
        const int m = 8, n = 8, k = 8;
        var (a, lda, b, ldb, c, expected) = Case(false, true, m, n, k, 0, 1);
        var c32 = new float[c.Length];
        Blas.Gemm(false, true, m, n, k, 1f, a.Select(v => (float)v).ToArray(), lda, b.Select(v => (float)v).ToArray(), ldb, 0f, c32, n);
        for (var i = 0; i < c.Length; i++)
        {
            Assert.Equal(expected[i], c32[i], 1e-5);
        }
    }

    [Fact]
    public void Gemm_SpanTooShort_ThrowsNamingTheMatrix()
    {
        var error = Assert.Throws<ArgumentException>(() => Blas.Gemm(false, false, 2, 2, 2, 1.0, new double[3], 2, new double[4], 2, 0.0, new double[4], 2));
        Assert.Equal("GEMM: matrix A (2×2, row stride 2) does not fit its span of 3", error.Message);
    }

    [Fact]
    public void Backend_OnThisMachine_IsOpenBlas()
    {
        // environment/setup installs libopenblas0-pthread; without it the managed kernel is used (and warned about).
        Assert.True(Blas.UsesOpenBlas, $"backend: {Blas.Backend}");
    }

    private static (double[] A, int Lda, double[] B, int Ldb, double[] C, double[] Expected) Case(bool transposeA, bool transposeB, int m, int n, int k, double beta, double alpha)
    {
        var random = new Random(m * 100 + n * 10 + k);
        var a = Enumerable.Range(0, m * k).Select(_ => random.NextDouble() - 0.5).ToArray();
        var b = Enumerable.Range(0, k * n).Select(_ => random.NextDouble() - 0.5).ToArray();
        var c = Enumerable.Range(0, m * n).Select(_ => random.NextDouble() - 0.5).ToArray();
        var lda = transposeA ? m : k;
        var ldb = transposeB ? k : n;
        var expected = new double[m * n];
        for (var i = 0; i < m; i++)
        {
            for (var j = 0; j < n; j++)
            {
                var sum = 0.0;
                for (var p = 0; p < k; p++)
                {
                    var aip = transposeA ? a[(p * lda) + i] : a[(i * lda) + p];
                    var bpj = transposeB ? b[(j * ldb) + p] : b[(p * ldb) + j];
                    sum += aip * bpj;
                }

                expected[(i * n) + j] = (alpha * sum) + (beta * c[(i * n) + j]);
            }
        }

        return (a, lda, b, ldb, c, expected);
    }
}
