using Bilevel.Tensors;

namespace Bilevel.Tests.Tensors;

/// <summary>The short-dimension products against plain triple loops, with odd row counts and lane tails.</summary>
public sealed class ShortGemmTests
{
    [Theory]
    [InlineData(64, 784, 9)] // the ConvNet's first layer, one sample
    [InlineData(3, 13, 1)]
    [InlineData(5, 7, 32)]
    [InlineData(1, 3, 4)]
    public void Multiply_RandomMatrices_MatchesTripleLoop(int m, int n, int k)
    {
        var random = new Random(m + n + k);
        var a = Random(random, m * k);
        var b = Random(random, k * n);
        var start = Random(random, m * n);
        foreach (var accumulate in new[] { false, true })
        {
            var c = (double[])start.Clone();
            ShortGemm.Multiply(m, n, k, a, b, c, accumulate);
            for (var i = 0; i < m; i++)
            {
                for (var j = 0; j < n; j++)
                {
                    var expected = accumulate ? start[(i * n) + j] : 0.0;
                    for (var p = 0; p < k; p++)
                    {
                        expected += a[(i * k) + p] * b[(p * n) + j];
                    }

                    Assert.Equal(expected, c[(i * n) + j], 1e-12);
                }
            }
        }
    }

    [Theory]
    [InlineData(64, 784, 9)]
    [InlineData(3, 13, 1)]
    [InlineData(5, 7, 32)]
    [InlineData(2, 3, 6)]
    public void MultiplyAddTransposed_RandomMatrices_MatchesTripleLoop(int m, int n, int k)
    {
        var random = new Random(m * n * k);
        var a = Random(random, m * n);
        var b = Random(random, k * n);
        var start = Random(random, m * k);
        var c = (double[])start.Clone();
        ShortGemm.MultiplyAddTransposed(m, n, k, a, b, c);
        for (var i = 0; i < m; i++)
        {
            for (var p = 0; p < k; p++)
            {
                var expected = start[(i * k) + p];
                for (var j = 0; j < n; j++)
                {
                    expected += a[(i * n) + j] * b[(p * n) + j];
                }

                Assert.Equal(expected, c[(i * k) + p], 1e-12);
            }
        }
    }

    [Fact]
    public void Multiply_InnerDimensionAboveMaximum_Throws()
    {
        var k = ShortGemm.MaximumShort + 1;
        var error = Assert.Throws<ArgumentException>(() => ShortGemm.Multiply(1, 1, k, new double[k], new double[k], new double[1], false));
        Assert.Contains("k ≤", error.Message, StringComparison.Ordinal);
    }

    private static double[] Random(Random random, int length)
    {
        var values = new double[length];
        for (var i = 0; i < length; i++)
        {
            values[i] = random.NextDouble() - 0.5;
        }

        return values;
    }
}
