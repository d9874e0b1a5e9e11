using Bilevel.Data.Images;

namespace Bilevel.Tests.Data.Images;

public sealed class ImageResizeTests
{
    [Fact]
    public void AreaAverage_IntegerRatio4To2_MeansOfBlocks()
    {
        // 0..15 in a 4×4 grid; each output is the mean of a 2×2 block: (0+1+4+5)/4 = 2.5, (2+3+6+7)/4 = 4.5, …
        var input = Enumerable.Range(0, 16).Select(i => (float)i).ToArray();

        var output = ImageResize.AreaAverage(input, 4, 4, 2, 2);

        Assert.Equal([2.5f, 4.5f, 10.5f, 12.5f], output);
    }

    [Fact]
    public void AreaAverage_Ratio1Point5_FractionalWeights()
    {
        // 3 → 2: output 0 covers [0, 1.5): pixel 0 fully, pixel 1 half → (3 + 0.5·6)/1.5 = 4; output 1: (0.5·6 + 9)/1.5 = 8.
        Assert.Equal([4f, 8f], ImageResize.AreaAverage([3f, 6f, 9f], 3, 1, 2, 1));
        Assert.Equal([4f, 8f], ImageResize.AreaAverage([3f, 6f, 9f], 1, 3, 1, 2));
    }

    [Fact]
    public void AreaAverage_Ratio2Point5_FractionalWeights()
    {
        // 5 → 2: output 0 covers [0, 2.5): (1 + 2 + 0.5·3)/2.5 = 1.8; output 1: (0.5·3 + 4 + 5)/2.5 = 4.2.
        var output = ImageResize.AreaAverage([1f, 2f, 3f, 4f, 5f], 5, 1, 2, 1);

        Assert.Equal(1.8f, output[0], 6);
        Assert.Equal(4.2f, output[1], 6);
    }

    [Fact]
    public void AreaAverage_ThreeByThreeToTwoByTwo_HandValues()
    {
        // f(r, c) = 3r + c + 1 (values 1..9) is linear, so each output is f at the weighted mean index of its area:
        // output 0 weights rows/cols (2/3, 1/3, 0) → mean index 1/3; output 1 weights (0, 1/3, 2/3) → 5/3.
        // (1/3, 1/3) → 7/3; (1/3, 5/3) → 11/3; (5/3, 1/3) → 19/3; (5/3, 5/3) → 23/3.
        float[] input = [1, 2, 3, 4, 5, 6, 7, 8, 9];

        var output = ImageResize.AreaAverage(input, 3, 3, 2, 2);

        Assert.Equal(7f / 3, output[0], 6);
        Assert.Equal(11f / 3, output[1], 6);
        Assert.Equal(19f / 3, output[2], 6);
        Assert.Equal(23f / 3, output[3], 6);
    }

    [Fact]
    public void AreaAverage_Upsample2To3_SplitsMiddlePixel()
    {
        // 2 → 3: output 1 covers [2/3, 4/3), half in each input pixel → (0 + 3)/2 = 1.5.
        Assert.Equal([0f, 1.5f, 3f], ImageResize.AreaAverage([0f, 3f], 2, 1, 3, 1));
    }

    [Fact]
    public void AreaAverage_SameSize_Identity()
    {
        var input = RandomImage(9 * 7, seed: 1);

        Assert.Equal(input, ImageResize.AreaAverage(input, 9, 7, 9, 7));
    }

    [Theory]
    [InlineData(105, 105, 28, 28)]
    [InlineData(10, 7, 3, 4)]
    [InlineData(3, 5, 8, 11)]
    public void AreaAverage_ConstantImage_StaysConstant(int w, int h, int tw, int th)
    {
        var input = Enumerable.Repeat(0.37f, w * h).ToArray();

        Assert.All(ImageResize.AreaAverage(input, w, h, tw, th), v => Assert.Equal(0.37f, v, 1e-6f));
    }

    [Theory]
    [InlineData(105, 105, 28, 28)]
    [InlineData(10, 7, 3, 4)]
    [InlineData(3, 5, 8, 11)]
    public void AreaAverage_RandomImage_PreservesMean(int w, int h, int tw, int th)
    {
        var input = RandomImage(w * h, seed: w + h);

        var output = ImageResize.AreaAverage(input, w, h, tw, th);

        Assert.Equal(input.Average(v => (double)v), output.Average(v => (double)v), 1e-6);
    }

    [Theory]
    [InlineData(105, 105, 28, 28)]
    [InlineData(7, 5, 3, 2)]
    [InlineData(4, 6, 6, 4)]
    public void AreaAverage_RandomImage_MatchesSupersampledReference(int w, int h, int tw, int th)
    {
        var input = RandomImage(w * h, seed: 7 * w + h);

        var output = ImageResize.AreaAverage(input, w, h, tw, th);
        var reference = SupersampledReference(input, w, h, tw, th);

        for (var i = 0; i < output.Length; i++)
        {
            Assert.Equal(reference[i], output[i], 1e-6);
        }
    }

    [Fact]
    public void AreaAverage_WrongLength_Throws()
    {
        var e = Assert.Throws<ArgumentException>(() => ImageResize.AreaAverage(new float[10], 3, 3, 2, 2));
        Assert.Contains("a 3×3 image has 9 pixels, got 10", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rotate90_ThreeByThree_MatchesNumpyRot90()
    {
        float[] image = [1, 2, 3, 4, 5, 6, 7, 8, 9];

        Assert.Equal([3f, 6, 9, 2, 5, 8, 1, 4, 7], ImageTransforms.Rotate90(image, 3, 1));
        Assert.Equal([9f, 8, 7, 6, 5, 4, 3, 2, 1], ImageTransforms.Rotate90(image, 3, 2));
        Assert.Equal([7f, 4, 1, 8, 5, 2, 9, 6, 3], ImageTransforms.Rotate90(image, 3, 3));
        Assert.Equal(image, ImageTransforms.Rotate90(image, 3, 4));
        Assert.Equal(ImageTransforms.Rotate90(image, 3, 3), ImageTransforms.Rotate90(image, 3, -1));
    }

    [Fact]
    public void Rotate90_FourQuarterTurns_Identity()
    {
        var image = RandomImage(28 * 28, seed: 5);
        var x = image;
        for (var i = 0; i < 4; i++)
        {
            x = ImageTransforms.Rotate90(x, 28, 1);
        }

        Assert.Equal(image, x);
        Assert.NotEqual(image, ImageTransforms.Rotate90(image, 28, 1));
    }

    [Fact]
    public void Rotate90_CommutesWithSquareAreaAverage()
    {
        var image = RandomImage(105 * 105, seed: 6);

        var a = ImageTransforms.Rotate90(ImageResize.AreaAverage(image, 105, 105, 28, 28), 28, 1);
        var b = ImageResize.AreaAverage(ImageTransforms.Rotate90(image, 105, 1), 105, 105, 28, 28);

        for (var i = 0; i < a.Length; i++)
        {
            Assert.Equal(a[i], b[i], 1e-6f);
        }
    }

    /// <summary>
    /// Independent exact reference: split the image into a (W·tw)×(H·th) grid of equal sub-cells; sub-cell (U, V) lies in
    /// input pixel (U / th, V / tw) and output pixel (U / H, V / W); each output is the mean of its H·W sub-cells.
    /// </summary>
    private static double[] SupersampledReference(float[] input, int w, int h, int tw, int th)
    {
        var sums = new double[tw * th];
        for (var u = 0; u < h * th; u++)
        {
            for (var v = 0; v < w * tw; v++)
            {
                sums[(u / h * tw) + (v / w)] += input[(u / th * w) + (v / tw)];
            }
        }

        return [.. sums.Select(s => s / (w * h))];
    }

    private static float[] RandomImage(int count, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ => (float)random.NextDouble())];
    }
}
