using Bilevel.Data;

namespace Bilevel.Tests.Data;

public sealed class SplitsTests
{
    private static void AssertDisjointWithin(int count, int[][] parts)
    {
        var seen = new bool[count];
        foreach (var part in parts)
        {
            foreach (var i in part)
            {
                Assert.InRange(i, 0, count - 1);
                Assert.False(seen[i], $"index {i} appears twice");
                seen[i] = true;
            }
        }
    }

    [Fact]
    public void Permutation_Seeded_IsPermutationAndReproducible()
    {
        var a = Splits.Permutation(1_000, seed: 7);
        var b = Splits.Permutation(1_000, seed: 7);
        var c = Splits.Permutation(1_000, seed: 8);

        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.Equal(Enumerable.Range(0, 1_000), a.Order());
        Assert.NotEqual(Enumerable.Range(0, 1_000), a);
    }

    [Theory]
    [InlineData(10_000, new[] { 6_000, 2_000, 2_000 })] // the bundled MNIST test images
    [InlineData(60_000, new[] { 20_000, 5_000 })] // paper 002 on Fashion-MNIST train (test file separate)
    [InlineData(60_000, new[] { 5_000, 5_000 })] // paper 000: D_i and D_o
    public void Shuffled_PaperSizes_SizesAndDisjoint(int count, int[] sizes)
    {
        var parts = Splits.Shuffled(count, sizes, seed: 1);

        Assert.Equal(sizes, parts.Select(p => p.Length));
        AssertDisjointWithin(count, parts);
    }

    [Fact]
    public void Shuffled_AllSamples_UnionIsEverything()
    {
        var parts = Splits.Shuffled(10_000, [6_000, 2_000, 2_000], seed: 3);

        Assert.Equal(Enumerable.Range(0, 10_000), parts.SelectMany(p => p).Order());
    }

    [Fact]
    public void Shuffled_SameSeed_SameSplitsOtherSeedDiffers()
    {
        var a = Splits.Shuffled(10_000, [6_000, 2_000, 2_000], seed: 5);
        var b = Splits.Shuffled(10_000, [6_000, 2_000, 2_000], seed: 5);
        var c = Splits.Shuffled(10_000, [6_000, 2_000, 2_000], seed: 6);

        for (var p = 0; p < 3; p++)
        {
            Assert.Equal(a[p], b[p]);
            Assert.NotEqual(a[p], c[p]);
        }
    }

    [Fact]
    public void Shuffled_ValidationClassMix_CloseToWhole()
    {
        // A random 2,000-image part of MNIST test has each class within 5 sd of its share.
        var mnist = MnistFamily.LoadMnistTest();
        var parts = Splits.Shuffled(mnist.Count, [6_000, 2_000, 2_000], seed: 0);
        var validation = mnist.Subset(parts[1]);
        var whole = mnist.LabelHistogram();

        var histogram = validation.LabelHistogram();
        for (var c = 0; c < 10; c++)
        {
            var share = whole[c] / 10_000.0;
            var sd = Math.Sqrt(2_000 * share * (1 - share));
            Assert.InRange(histogram[c], (2_000 * share) - (5 * sd), (2_000 * share) + (5 * sd));
        }

        for (var k = 0; k < parts[1].Length; k += 97)
        {
            Assert.Equal(mnist.Labels[parts[1][k]], validation.Labels[k]);
            Assert.True(mnist.Image(parts[1][k]).SequenceEqual(validation.Image(k)));
        }
    }

    [Fact]
    public void Contiguous_FileOrder_ConsecutiveRanges()
    {
        var parts = Splits.Contiguous(60_000, [20_000, 5_000]);

        Assert.Equal(Enumerable.Range(0, 20_000), parts[0]);
        Assert.Equal(Enumerable.Range(20_000, 5_000), parts[1]);
    }

    [Fact]
    public void Shuffled_SizesExceedData_OneClearLine()
    {
        var ex = Assert.Throws<ArgumentException>(() => Splits.Shuffled(10_000, [20_000, 5_000, 10_000], seed: 0));

        Assert.StartsWith("split sizes 20000 + 5000 + 10000 = 35000 exceed the 10000 available samples", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => Splits.Contiguous(10, [11]));
        Assert.Throws<ArgumentException>(() => Splits.Shuffled(10, [5, -1], seed: 0));
    }

    [Fact]
    public void Subset_IndexOutsideSet_Throws()
    {
        var set = new LabeledImageSet(new float[3 * 4], [0, 1, 2], 2, 2, 10);

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => set.Subset([0, 3]));

        Assert.Contains("index 3 at position 1 is outside the 3 images", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Standardize_MnistConstants_ReferenceFormula()
    {
        float[] pixels = [0f, 1f, 0.1307f, 128f / 255f];

        PixelNormalization.StandardizeMnist(pixels);

        Assert.Equal((0f - 0.1307f) / 0.3081f, pixels[0]);
        Assert.Equal((1f - 0.1307f) / 0.3081f, pixels[1]);
        Assert.Equal(0f, pixels[2]);
        Assert.Equal(((128f / 255f) - 0.1307f) / 0.3081f, pixels[3]);
    }

    [Fact]
    public void Standardize_MnistTestWithTrainConstants_NearZeroMeanUnitStd()
    {
        var mnist = MnistFamily.LoadMnistTest();

        PixelNormalization.StandardizeMnist(mnist.Pixels);
        var (mean, std) = PixelNormalization.MeanStd(mnist.Pixels);

        // Test-set statistics 0.1325 / 0.3105 against the training constants 0.1307 / 0.3081.
        Assert.InRange(mean, 0.003, 0.009);
        Assert.InRange(std, 1.004, 1.011);
    }

    [Fact]
    public void MeanStd_Small_PopulationFormula()
    {
        var (mean, std) = PixelNormalization.MeanStd([1f, 2f, 3f, 4f]);

        Assert.Equal(2.5, mean);
        Assert.Equal(Math.Sqrt(1.25), std, 15);
        Assert.Throws<ArgumentOutOfRangeException>(() => PixelNormalization.Standardize(new float[1], 0f, 0f));
    }
}
