using Bilevel.Networks;

namespace Bilevel.Tests.Networks;

/// <summary>
/// Seeded initializations. Moment tolerances are five standard errors of the sample statistic at n = 200 000 draws
/// (computed in each test from the distribution's own higher moments), so a correct sampler fails with probability
/// below 1e-6 and, the draws being seeded, the outcome is fixed anyway; a wrong scale (for instance 1/fanIn instead of
/// 2/fanIn) misses by tens of standard errors.
/// </summary>
public sealed class InitializersTests
{
    private const int Draws = 200_000;
    private const double StandardErrors = 5;

    [Fact]
    public void KaimingNormal_SameSeed_BitwiseIdentical()
    {
        var first = new double[1000];
        var second = new double[1000];
        Initializers.KaimingNormal<double>(first, 27, new Random(11));
        Initializers.KaimingNormal<double>(second, 27, new Random(11));

        Assert.Equal(Bits(first), Bits(second));
    }

    [Fact]
    public void XavierUniformAndUniform_SameSeed_BitwiseIdentical()
    {
        var first = new float[1000];
        var second = new float[1000];
        Initializers.XavierUniform<float>(first, 30, 20, new Random(3));
        Initializers.XavierUniform<float>(second, 30, 20, new Random(3));
        Assert.Equal(first.Select(BitConverter.SingleToInt32Bits), second.Select(BitConverter.SingleToInt32Bits));

        var third = new double[1000];
        var fourth = new double[1000];
        Initializers.Uniform<double>(third, 0.25, new Random(3));
        Initializers.Uniform<double>(fourth, 0.25, new Random(3));
        Assert.Equal(Bits(third), Bits(fourth));
    }

    [Fact]
    public void KaimingNormal_DifferentSeeds_Differ()
    {
        var first = new double[100];
        var second = new double[100];
        Initializers.KaimingNormal<double>(first, 9, new Random(1));
        Initializers.KaimingNormal<double>(second, 9, new Random(2));

        Assert.True(first.Zip(second).Count(p => p.First != p.Second) >= 99, "different seeds gave (nearly) the same draws");
    }

    [Fact]
    public void KaimingNormal_Float32_IsFloat64DrawRounded()
    {
        var single = new float[500];
        var dbl = new double[500];
        Initializers.KaimingNormal<float>(single, 18, new Random(5));
        Initializers.KaimingNormal<double>(dbl, 18, new Random(5));

        Assert.Equal(dbl.Select(v => BitConverter.SingleToInt32Bits((float)v)), single.Select(BitConverter.SingleToInt32Bits));
    }

    [Fact]
    public void KaimingNormal_200kDraws_MeanZeroVarianceTwoOverFanIn()
    {
        const int fanIn = 50;
        var values = new double[Draws];
        Initializers.KaimingNormal<double>(values, fanIn, new Random(0));
        var (mean, variance) = Moments(values);
        var sigma2 = 2.0 / fanIn;

        // Standard error of the mean: σ/√n ≈ 4.5e-4; of the variance of a normal: σ²·√(2/n) ≈ 1.3e-4 (0.32 %).
        var meanTolerance = StandardErrors * Math.Sqrt(sigma2 / Draws);
        var varianceTolerance = StandardErrors * sigma2 * Math.Sqrt(2.0 / Draws);
        Assert.True(Math.Abs(mean) <= meanTolerance, $"mean {mean:E3}, tolerance {meanTolerance:E3}");
        Assert.True(Math.Abs(variance - sigma2) <= varianceTolerance, $"variance {variance:E5}, expected {sigma2} ± {varianceTolerance:E3}");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-4)]
    public void KaimingNormal_NonPositiveFanIn_Throws(int fanIn)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Initializers.KaimingNormal<double>(new double[3], fanIn, new Random(0)));
    }

    [Fact]
    public void XavierUniform_200kDraws_WithinBoundVarianceASquaredOverThree()
    {
        const int fanIn = 30;
        const int fanOut = 20;
        var a = Math.Sqrt(6.0 / (fanIn + fanOut));
        var values = new double[Draws];
        Initializers.XavierUniform<double>(values, fanIn, fanOut, new Random(1));

        Assert.All(values, v => Assert.InRange(v, -a, a));

        // The whole interval is used: with 200k draws the extremes are within a·1e-3 of ±a (a miss has probability
        // (1 − 5e-4)^200000 ≈ e^−100).
        Assert.True(values.Max() > a * 0.999, $"max {values.Max()} vs a = {a}");
        Assert.True(values.Min() < -a * 0.999, $"min {values.Min()} vs a = {a}");

        var (mean, variance) = Moments(values);
        var sigma2 = a * a / 3;

        // For U(−a, a): Var(X) = a²/3 and Var(X²) = E X⁴ − (E X²)² = a⁴/5 − a⁴/9 = 4a⁴/45, so the sample variance has
        // standard error a²·√(4/45)/√n ≈ 0.2 % of a²/3.
        var meanTolerance = StandardErrors * Math.Sqrt(sigma2 / Draws);
        var varianceTolerance = StandardErrors * a * a * Math.Sqrt(4.0 / 45 / Draws);
        Assert.True(Math.Abs(mean) <= meanTolerance, $"mean {mean:E3}, tolerance {meanTolerance:E3}");
        Assert.True(Math.Abs(variance - sigma2) <= varianceTolerance, $"variance {variance:E5}, expected {sigma2:E5} ± {varianceTolerance:E3}");
    }

    [Fact]
    public void Uniform_Bound_RespectedAndDrawsDependOnlyOnRandomState()
    {
        const double bound = 0.125;
        var values = new double[10_000];
        Initializers.Uniform<double>(values, bound, new Random(4));
        Assert.All(values, v => Assert.InRange(v, -bound, bound));

        // Each value is (2u − 1)·bound for the next u of the generator.
        var random = new Random(4);
        Assert.All(values, v => Assert.Equal(((random.NextDouble() * 2) - 1) * bound, v));
    }

    [Fact]
    public void Constant_FillsEveryElement()
    {
        var values = new float[7];
        Initializers.Constant<float>(values, -2.5);

        Assert.All(values, v => Assert.Equal(-2.5f, v));
    }

    [Fact]
    public void StandardNormal_200kDraws_MomentsOfNormal()
    {
        var random = new Random(2);
        var values = new double[Draws];
        for (var i = 0; i < Draws; i++)
        {
            values[i] = Initializers.StandardNormal(random);
        }

        var (mean, variance) = Moments(values);
        var third = values.Average(v => v * v * v);
        var fourth = values.Average(v => v * v * v * v);
        var withinOne = values.Count(v => Math.Abs(v) <= 1) / (double)Draws;

        // Standard errors for N(0, 1): mean 1/√n, variance √(2/n), E X³ √(15/n) (E X⁶ = 15), E X⁴ √(96/n)
        // (E X⁸ − (E X⁴)² = 105 − 9), P(|X| ≤ 1) = 0.682689 with √(p(1 − p)/n).
        Assert.True(Math.Abs(mean) <= StandardErrors / Math.Sqrt(Draws), $"mean {mean:E3}");
        Assert.True(Math.Abs(variance - 1) <= StandardErrors * Math.Sqrt(2.0 / Draws), $"variance {variance:F5}");
        Assert.True(Math.Abs(third) <= StandardErrors * Math.Sqrt(15.0 / Draws), $"third moment {third:F5}");
        Assert.True(Math.Abs(fourth - 3) <= StandardErrors * Math.Sqrt(96.0 / Draws), $"fourth moment {fourth:F5}");
        const double p = 0.682689492;
        Assert.True(Math.Abs(withinOne - p) <= StandardErrors * Math.Sqrt(p * (1 - p) / Draws), $"P(|X| ≤ 1) = {withinOne:F5}");
    }

    [Fact]
    public void StandardNormal_SameSeed_SameSequence()
    {
        var first = new Random(9);
        var second = new Random(9);
        for (var i = 0; i < 100; i++)
        {
            Assert.Equal(BitConverter.DoubleToInt64Bits(Initializers.StandardNormal(first)), BitConverter.DoubleToInt64Bits(Initializers.StandardNormal(second)));
        }
    }

    private static long[] Bits(double[] values) => [.. values.Select(BitConverter.DoubleToInt64Bits)];

    private static (double Mean, double Variance) Moments(double[] values)
    {
        var mean = values.Average();
        var variance = values.Sum(v => (v - mean) * (v - mean)) / (values.Length - 1);
        return (mean, variance);
    }
}
