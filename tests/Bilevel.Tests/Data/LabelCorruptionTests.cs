using Bilevel.Data;

namespace Bilevel.Tests.Data;

public sealed class LabelCorruptionTests
{
    private static int[] BalancedLabels(int n, int classes)
    {
        var labels = new int[n];
        for (var i = 0; i < n; i++)
        {
            labels[i] = i % classes;
        }

        return labels;
    }

    private static void AssertMaskExact(CorruptedLabels result)
    {
        var changed = 0;
        for (var i = 0; i < result.Labels.Length; i++)
        {
            var differs = result.Labels[i] != result.TrueLabels[i];
            Assert.True(differs == result.Mask[i], $"sample {i}: mask {result.Mask[i]} but label {result.TrueLabels[i]} → {result.Labels[i]}");
            Assert.InRange(result.Labels[i], 0, result.ClassCount - 1);
            changed += differs ? 1 : 0;
        }

        Assert.Equal(changed, result.CorruptedCount);
    }

    [Theory]
    [InlineData(20_000, 0.10, 2_000)] // paper 002 / 003: 20,000 training images
    [InlineData(20_000, 0.15, 3_000)]
    [InlineData(20_000, 0.20, 4_000)]
    [InlineData(20_000, 0.25, 5_000)]
    [InlineData(20_000, 0.30, 6_000)]
    [InlineData(5_000, 0.80, 4_000)] // paper 000: γ = 0.8 of 5,000
    [InlineData(100, 0.57, 57)] // int(0.57·100) would be 56
    [InlineData(10, 0.05, 1)] // 0.5 rounds away from zero
    [InlineData(7, 0.0, 0)]
    [InlineData(7, 1.0, 7)]
    public void ExactCount_PaperSettings_RoundPTimesN(int n, double p, int expected)
    {
        Assert.Equal(expected, LabelCorruption.ExactCount(n, p));
    }

    [Fact]
    public void Corrupt_ExactCount_MaskExactAndEveryCorruptedLabelDiffers()
    {
        var truth = BalancedLabels(20_000, 10);

        var result = LabelCorruption.Corrupt(truth, 10, 0.1, CorruptionMode.ExactCount, seed: 1);

        Assert.Equal(2_000, result.CorruptedCount);
        Assert.Equal(2_000, result.Mask.Count(m => m));
        Assert.Equal(0.1, result.CorruptedFraction);
        Assert.Equal(truth, result.TrueLabels);
        Assert.NotSame(truth, result.TrueLabels);
        AssertMaskExact(result);
    }

    [Fact]
    public void Corrupt_Input_NotModified()
    {
        var truth = BalancedLabels(1_000, 10);
        var copy = truth.ToArray();

        LabelCorruption.Corrupt(truth, 10, 0.5, CorruptionMode.Bernoulli, seed: 3);

        Assert.Equal(copy, truth);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Corrupt_Bernoulli_CountWithinBinomialBounds(int seed)
    {
        const int n = 100_000;
        const double p = 0.2;
        var truth = BalancedLabels(n, 10);

        var result = LabelCorruption.Corrupt(truth, 10, p, CorruptionMode.Bernoulli, seed);

        // Binomial(n, p): mean 20,000, sd √(n p (1 − p)) ≈ 126.5; ±5 sd fails with probability < 1e-6.
        var sd = Math.Sqrt(n * p * (1 - p));
        Assert.InRange(result.CorruptedCount, n * p - (5 * sd), n * p + (5 * sd));
        AssertMaskExact(result);
    }

    [Fact]
    public void Corrupt_Bernoulli_ItemsIndependentAcrossHalves()
    {
        // Each half of the samples gets its own Binomial(n/2, p) count: both within 5 sd.
        const int n = 40_000;
        var result = LabelCorruption.Corrupt(BalancedLabels(n, 10), 10, 0.3, CorruptionMode.Bernoulli, seed: 8);
        var sd = Math.Sqrt(n / 2 * 0.3 * 0.7);
        var first = result.Mask.AsSpan(0, n / 2).Count(true);
        var second = result.Mask.AsSpan(n / 2).Count(true);

        Assert.InRange(first, (n / 2 * 0.3) - (5 * sd), (n / 2 * 0.3) + (5 * sd));
        Assert.InRange(second, (n / 2 * 0.3) - (5 * sd), (n / 2 * 0.3) + (5 * sd));
    }

    [Fact]
    public void Corrupt_TenClasses_OffsetsUniformOverOtherClasses()
    {
        var result = LabelCorruption.Corrupt(BalancedLabels(90_000, 10), 10, 0.5, CorruptionMode.ExactCount, seed: 4);
        var offsets = new int[10];
        for (var i = 0; i < result.Labels.Length; i++)
        {
            if (result.Mask[i])
            {
                offsets[(result.Labels[i] - result.TrueLabels[i] + 10) % 10]++;
            }
        }

        Assert.Equal(0, offsets[0]);
        // 45,000 corrupted over 9 offsets: 5,000 each, sd √(45000·(1/9)(8/9)) ≈ 66.7.
        for (var k = 1; k < 10; k++)
        {
            Assert.InRange(offsets[k], 5_000 - (5 * 66.7), 5_000 + (5 * 66.7));
        }
    }

    [Theory]
    [InlineData(CorruptionMode.ExactCount)]
    [InlineData(CorruptionMode.Bernoulli)]
    public void Corrupt_BinaryTask_IsAFlip(CorruptionMode mode)
    {
        var truth = BalancedLabels(1_000, 2);

        var result = LabelCorruption.Corrupt(truth, 2, 0.4, mode, seed: 5);

        for (var i = 0; i < truth.Length; i++)
        {
            Assert.Equal(result.Mask[i] ? 1 - truth[i] : truth[i], result.Labels[i]);
        }

        Assert.InRange(result.CorruptedCount, 300, 500);
    }

    [Theory]
    [InlineData(CorruptionMode.ExactCount)]
    [InlineData(CorruptionMode.Bernoulli)]
    public void Corrupt_SameSeed_IdenticalAndOtherSeedDiffers(CorruptionMode mode)
    {
        var truth = BalancedLabels(5_000, 10);

        var a = LabelCorruption.Corrupt(truth, 10, 0.8, mode, seed: 42);
        var b = LabelCorruption.Corrupt(truth, 10, 0.8, mode, seed: 42);
        var c = LabelCorruption.Corrupt(truth, 10, 0.8, mode, seed: 43);

        Assert.Equal(a.Labels, b.Labels);
        Assert.Equal(a.Mask, b.Mask);
        Assert.NotEqual(a.Mask, c.Mask);
    }

    [Theory]
    [InlineData(CorruptionMode.ExactCount)]
    [InlineData(CorruptionMode.Bernoulli)]
    public void Corrupt_RateZeroAndOne_NoneAndAll(CorruptionMode mode)
    {
        var truth = BalancedLabels(500, 10);

        var none = LabelCorruption.Corrupt(truth, 10, 0.0, mode, seed: 1);
        var all = LabelCorruption.Corrupt(truth, 10, 1.0, mode, seed: 1);

        Assert.Equal(0, none.CorruptedCount);
        Assert.Equal(truth, none.Labels);
        Assert.Equal(500, all.CorruptedCount);
        AssertMaskExact(all);
    }

    [Fact]
    public void Corrupt_ExactCount_DrawOrderDocumented()
    {
        // Partial Fisher–Yates picks, then one offset per pick in pick order.
        int[] truth = [0, 1, 2, 3, 4, 5];
        var rng = new Random(11);
        var order = new[] { 0, 1, 2, 3, 4, 5 };
        for (var i = 0; i < 3; i++)
        {
            var j = rng.Next(i, 6);
            (order[i], order[j]) = (order[j], order[i]);
        }

        var expected = truth.ToArray();
        for (var i = 0; i < 3; i++)
        {
            expected[order[i]] = (truth[order[i]] + rng.Next(1, 10)) % 10;
        }

        var result = LabelCorruption.Corrupt(truth, 10, 0.5, CorruptionMode.ExactCount, seed: 11);

        Assert.Equal(expected, result.Labels);
    }

    [Fact]
    public void Corrupt_LabelOutOfRange_MessageNamesSample()
    {
        var ex = Assert.Throws<ArgumentException>(() => LabelCorruption.Corrupt([1, 2, 10], 10, 0.1, CorruptionMode.ExactCount, seed: 1));

        Assert.StartsWith("label 10 of sample 2 is outside 0–9", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-0.1, 10)]
    [InlineData(1.5, 10)]
    [InlineData(double.NaN, 10)]
    [InlineData(0.1, 1)]
    public void Corrupt_BadRateOrClassCount_Throws(double rate, int classes)
    {
        Assert.ThrowsAny<ArgumentException>(() => LabelCorruption.Corrupt([0, 0], classes, rate, CorruptionMode.Bernoulli, seed: 1));
    }

    [Fact]
    public void Corrupt_MnistTrainSplit_SixHundredOfSixThousand()
    {
        var mnist = MnistFamily.LoadMnistTest();
        var split = Splits.Shuffled(mnist.Count, [6_000, 2_000, 2_000], seed: 0);
        var train = mnist.Subset(split[0]);

        var result = LabelCorruption.Corrupt(train.Labels, 10, 0.1, CorruptionMode.ExactCount, seed: 0);

        Assert.Equal(600, result.CorruptedCount);
        AssertMaskExact(result);
        var noisy = train.WithLabels(result.Labels);
        Assert.Same(train.Pixels, noisy.Pixels);
        Assert.Equal(600, noisy.Labels.Zip(train.Labels, (a, b) => a != b).Count(d => d));
        Assert.Throws<ArgumentException>(() => train.WithLabels(new int[5]));
    }
}
