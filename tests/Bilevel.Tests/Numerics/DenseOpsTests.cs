using Bilevel.Numerics;
using MathNet.Numerics.LinearAlgebra;

namespace Bilevel.Tests.Numerics;

/// <summary>The small dense kernels against plain loops and MathNet, at sizes below, at and above the SIMD width.</summary>
public sealed class DenseOpsTests
{
    public static TheoryData<int, int> Shapes => new() { { 1, 1 }, { 3, 5 }, { 10, 20 }, { 20, 20 }, { 17, 9 }, { 64, 33 } };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void MultiplyAdd_RandomMatrix_MatchesMathNet(int rows, int columns)
    {
        var (m, v, start) = Random(rows, columns, 1);
        var result = (double[])start.Clone();
        DenseOps.MultiplyAdd(m, v, result);
        var expected = (m * Vector<double>.Build.DenseOfArray(v)).ToArray();
        for (var i = 0; i < rows; i++)
        {
            Assert.Equal(start[i] + expected[i], result[i], 1e-12);
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void MultiplyAdd_SameInput_IsElementwiseUnfusedAxpy(int rows, int columns)
    {
        var (m, v, start) = Random(rows, columns, 2);
        var result = (double[])start.Clone();
        DenseOps.MultiplyAdd(m, v, result);
        var expected = (double[])start.Clone();
        for (var j = 0; j < columns; j++)
        {
            for (var i = 0; i < rows; i++)
            {
                expected[i] = (m[i, j] * v[j]) + expected[i];
            }
        }

        Assert.Equal(expected, result);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void TransposeMultiply_RandomMatrix_MatchesMathNet(int rows, int columns)
    {
        var (m, _, _) = Random(rows, columns, 3);
        var u = Enumerable.Range(0, rows).Select(i => Math.Sin(i + 0.5)).ToArray();
        var result = new double[columns];
        Array.Fill(result, 99.0);
        DenseOps.TransposeMultiply(m, u, result);
        var expected = m.TransposeThisAndMultiply(Vector<double>.Build.DenseOfArray(u)).ToArray();
        for (var j = 0; j < columns; j++)
        {
            Assert.Equal(expected[j], result[j], 1e-12);
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void MultiplyAddRowMajor_RowMajorTable_MatchesPlainLoop(int rows, int columns)
    {
        var values = Enumerable.Range(0, rows * columns).Select(k => Math.Cos(k * 0.7)).ToArray();
        var v = Enumerable.Range(0, columns).Select(k => 1.0 / (k + 1)).ToArray();
        var result = Enumerable.Range(0, rows).Select(i => (double)i).ToArray();
        DenseOps.MultiplyAddRowMajor(values, rows, columns, v, result);
        for (var i = 0; i < rows; i++)
        {
            var sum = 0.0;
            for (var j = 0; j < columns; j++)
            {
                sum += values[(i * columns) + j] * v[j];
            }

            Assert.Equal(i + sum, result[i], 1e-12);
        }
    }

    [Fact]
    public void Dot_LongerSecondSpan_UsesFirstLength()
    {
        double[] a = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
        var b = Enumerable.Repeat(2.0, 20).ToArray();
        Assert.Equal(132.0, DenseOps.Dot(a, b));
    }

    [Fact]
    public void Dot_ShorterSecondSpan_ThrowsNamingIt()
    {
        var e = Assert.Throws<ArgumentException>(() => DenseOps.Dot(new double[5], new double[4]));
        Assert.Equal("b", e.ParamName);
    }

    [Fact]
    public void MultiplyAddColumnMajor_TooFewValues_ThrowsNamingThem()
    {
        var e = Assert.Throws<ArgumentException>(() => DenseOps.MultiplyAddColumnMajor(new double[5], 2, 3, new double[3], new double[2]));
        Assert.Equal("values", e.ParamName);
        Assert.Contains("2 × 3", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MultiplyAddRowMajor_ShortResult_ThrowsNamingIt()
    {
        var e = Assert.Throws<ArgumentException>(() => DenseOps.MultiplyAddRowMajor(new double[6], 2, 3, new double[3], new double[1]));
        Assert.Equal("result", e.ParamName);
    }

    private static (Matrix<double> M, double[] V, double[] Start) Random(int rows, int columns, int seed)
    {
        var rng = new System.Random(seed);
        var m = Matrix<double>.Build.Dense(rows, columns, (_, _) => rng.NextDouble() - 0.5);
        var v = Enumerable.Range(0, columns).Select(_ => rng.NextDouble() - 0.5).ToArray();
        var start = Enumerable.Range(0, rows).Select(_ => rng.NextDouble()).ToArray();
        return (m, v, start);
    }
}
