using Bilevel.Autodiff;
using Bilevel.Networks;
using Bilevel.Tensors;

namespace Bilevel.Tests.Networks;

public sealed class ConvNetTests
{
    // Per block: conv weight F·C_in·3·3, conv bias F, BN γ F, BN β F, i.e. 9·C_in·F + 3F.
    // Filters 32, 1 input channel: block 1 = 9·1·32 + 96 = 384, blocks 2–4 = 9·32·32 + 96 = 9312 each → 28 320.
    // Filters 64: block 1 = 9·1·64 + 192 = 768, blocks 2–4 = 9·64·64 + 192 = 37 056 each → 111 936.
    [Theory]
    [InlineData(32, 28_320)]
    [InlineData(64, 111_936)]
    public void Layout_FourBlocksOnGrayscale_SizeIsSumOfBlocks(int filters, int expected)
    {
        var net = new ConvNet(inputChannels: 1, filters: filters);

        Assert.Equal(expected, net.Layout.Size);
        Assert.Equal(16, net.Layout.Entries.Count);
    }

    [Fact]
    public void Layout_ThreeInputChannels_FirstBlockUsesThem()
    {
        // 9·3·8 + 24 = 240 for block 1, 9·8·8 + 24 = 600 for block 2.
        var net = new ConvNet(inputChannels: 3, filters: 8, blocks: 2, imageSize: 8);

        Assert.Equal(840, net.Layout.Size);
        Assert.Equal([8, 3, 3, 3], net.Layout["block1.conv.weight"].Shape);
        Assert.Equal([8, 8, 3, 3], net.Layout["block2.conv.weight"].Shape);
    }

    [Fact]
    public void Layout_Names_BlockOrderConvThenBatchNorm()
    {
        var net = new ConvNet(filters: 4, blocks: 2, imageSize: 8);

        Assert.Equal(
            ["block1.conv.weight", "block1.conv.bias", "block1.bn.weight", "block1.bn.bias", "block2.conv.weight", "block2.conv.bias", "block2.bn.weight", "block2.bn.bias"],
            net.Layout.Entries.Select(e => e.Name));
        Assert.Equal([0, 36, 40, 44, 48, 192, 196, 200], net.Layout.Entries.Select(e => e.Offset));
        Assert.Equal(204, net.Layout.Size);
    }

    [Theory]
    [InlineData(64, 28, 4, 64)] // 28 → 14 → 7 → 3 → 1
    [InlineData(32, 28, 4, 32)]
    [InlineData(64, 28, 3, 64 * 9)] // 28 → 14 → 7 → 3
    [InlineData(16, 32, 4, 16 * 4)] // 32 → 16 → 8 → 4 → 2
    [InlineData(2, 16, 4, 2)] // 16 → 8 → 4 → 2 → 1
    public void FeatureSize_ImageAndBlocks_FiltersTimesFinalArea(int filters, int imageSize, int blocks, int expected)
    {
        Assert.Equal(expected, new ConvNet(1, filters, blocks, imageSize).FeatureSize);
    }

    [Theory]
    [InlineData(28, 5)] // 28 → 14 → 7 → 3 → 1 → 0
    [InlineData(16, 5)]
    [InlineData(3, 2)] // 3 → 1 → 0
    [InlineData(1, 1)]
    public void Constructor_TooManyBlocksForImage_ThrowsArgumentException(int imageSize, int blocks)
    {
        var e = Assert.Throws<ArgumentException>(() => new ConvNet(1, 8, blocks, imageSize));
        Assert.Contains($"{blocks} blocks", e.Message, StringComparison.Ordinal);
        Assert.Contains($"{imageSize}×{imageSize}", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, 8, 4)]
    [InlineData(1, 0, 4)]
    [InlineData(1, 8, 0)]
    public void Constructor_NonPositiveSizes_Throw(int channels, int filters, int blocks)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ConvNet(channels, filters, blocks));
    }

    [Fact]
    public void Initialize_SameSeed_BitwiseIdenticalDifferentSeedDiffers()
    {
        var net = new ConvNet(filters: 8);
        var first = new double[net.Layout.Size];
        var second = new double[net.Layout.Size];
        var third = new double[net.Layout.Size];
        net.Initialize<double>(first, 3);
        net.Initialize<double>(second, 3);
        net.Initialize<double>(third, 4);

        Assert.Equal(first.Select(BitConverter.DoubleToInt64Bits), second.Select(BitConverter.DoubleToInt64Bits));
        var weights = net.Layout["block2.conv.weight"];
        Assert.NotEqual(first.AsSpan(weights.Offset, weights.Size).ToArray(), third.AsSpan(weights.Offset, weights.Size).ToArray());
    }

    [Fact]
    public void Initialize_BatchNormOnesBiasesZeroConvWeightsKaiming()
    {
        var net = new ConvNet(filters: 32);
        var parameters = new double[net.Layout.Size];
        Array.Fill(parameters, double.NaN);
        net.Initialize<double>(parameters, 0);

        foreach (var entry in net.Layout.Entries)
        {
            var slice = parameters.AsSpan(entry.Offset, entry.Size).ToArray();
            if (entry.Name.EndsWith(".bn.weight", StringComparison.Ordinal))
            {
                Assert.All(slice, v => Assert.Equal(1.0, v));
            }
            else if (entry.Name.EndsWith(".bias", StringComparison.Ordinal))
            {
                Assert.All(slice, v => Assert.Equal(0.0, v));
            }
            else
            {
                // Kaiming normal with fan-in C_in·9: the sample variance of n draws has standard error σ²·√(2/n); allow
                // five (block 1: n = 288, ±42 %; blocks 2–4: n = 9216, ±7.4 %).
                var sigma2 = 2.0 / (entry.Shape[1] * 9);
                var mean = slice.Average();
                var variance = slice.Sum(v => v * v) / slice.Length;
                Assert.True(Math.Abs(mean) <= 5 * Math.Sqrt(sigma2 / slice.Length), $"{entry.Name}: mean {mean:E3}");
                Assert.True(Math.Abs(variance - sigma2) <= 5 * sigma2 * Math.Sqrt(2.0 / slice.Length), $"{entry.Name}: variance {variance:E4}, expected {sigma2:E4}");
            }
        }
    }

    [Fact]
    public void Initialize_WrongLength_ThrowsArgumentException()
    {
        var net = new ConvNet(filters: 4, blocks: 2, imageSize: 8);

        var e = Assert.Throws<ArgumentException>(() => net.Initialize<double>(new double[203], 0));
        Assert.Equal("parameters", e.ParamName);
        Assert.Contains("expected 204", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Forward_Batch28x28With64Filters_OutputIsNByFeatureSize()
    {
        var net = new ConvNet(filters: 64);
        var parameters = new float[net.Layout.Size];
        net.Initialize<float>(parameters, 1);
        var graph = new Graph<float>();

        var features = net.Forward(graph, net.Layout.Bind(graph, parameters), graph.Constant(Images<float>(3, 1, 28, 5)));

        Assert.Equal(64, net.FeatureSize);
        Assert.Equal([3, 64], features.Shape);

        // ReLU then max-pool: features are non-negative and finite, and not all zero.
        Assert.All(features.Value.Span.ToArray(), v => Assert.True(v >= 0 && float.IsFinite(v), $"feature {v}"));
        Assert.Contains(features.Value.Span.ToArray(), v => v > 0);
    }

    [Fact]
    public void Forward_WrongParameterCount_ThrowsArgumentException()
    {
        var net = new ConvNet(filters: 4, blocks: 2, imageSize: 8);
        var graph = new Graph<double>();
        var parameters = net.Layout.Bind(graph, new double[net.Layout.Size]);

        var e = Assert.Throws<ArgumentException>(() => net.Forward(graph, parameters[..7], graph.Constant(Images<double>(2, 1, 8, 0))));
        Assert.Contains("needs 8 parameter tensors, got 7", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Forward_Float32AgreesWithFloat64_SameInitializedWeights()
    {
        var net = new ConvNet(filters: 64);
        var weights64 = new double[net.Layout.Size];
        net.Initialize<double>(weights64, 2);
        var weights32 = weights64.Select(v => (float)v).ToArray();

        var graph64 = new Graph<double>();
        var features64 = net.Forward(graph64, net.Layout.Bind(graph64, weights64), graph64.Constant(Images<double>(8, 1, 28, 6))).Value.Span.ToArray();
        var graph32 = new Graph<float>();
        var features32 = net.Forward(graph32, net.Layout.Bind(graph32, weights32), graph32.Constant(Images<float>(8, 1, 28, 6))).Value.Span.ToArray();

        // Both see the same inputs (the float32 images and weights are the float64 ones rounded, which is within the
        // float32 unit roundoff 6e-8 relative); four conv/BN layers of 576-term sums keep float32 within ~1e-5.
        var difference = 0.0;
        var norm = 0.0;
        var maxDifference = 0.0;
        var maxValue = 0.0;
        for (var i = 0; i < features64.Length; i++)
        {
            var d = features32[i] - features64[i];
            difference += d * d;
            norm += features64[i] * features64[i];
            maxDifference = Math.Max(maxDifference, Math.Abs(d));
            maxValue = Math.Max(maxValue, Math.Abs(features64[i]));
        }

        Assert.True(norm > 0, "all features are zero: the comparison would check nothing");
        var relative = Math.Sqrt(difference / norm);
        Assert.True(relative <= 1e-4, $"‖f32 − f64‖/‖f64‖ = {relative:E3}");
        Assert.True(maxDifference <= 1e-4 * maxValue, $"max |f32 − f64| = {maxDifference:E3}, max |f64| = {maxValue:E3}");
    }

    [Fact]
    public void Forward_SecondPassAfterReset_BitwiseIdentical()
    {
        var net = new ConvNet(filters: 8);
        var parameters = new double[net.Layout.Size];
        net.Initialize<double>(parameters, 4);
        var images = Images<double>(4, 1, 28, 7);
        var graph = new Graph<double>();

        var first = net.Forward(graph, net.Layout.Bind(graph, parameters), graph.Constant(images)).Value.Span.ToArray();
        graph.Reset();
        var second = net.Forward(graph, net.Layout.Bind(graph, parameters), graph.Constant(images)).Value.Span.ToArray();

        Assert.Equal(first.Select(BitConverter.DoubleToInt64Bits), second.Select(BitConverter.DoubleToInt64Bits));
    }

    /// <summary>U(0, 1) images [N, C, S, S], the same draws for float32 and float64 (rounded for float32).</summary>
    private static Tensor<T> Images<T>(int batch, int channels, int size, int seed)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var random = new Random(seed);
        var tensor = new Tensor<T>(batch, channels, size, size);
        for (var i = 0; i < tensor.Size; i++)
        {
            tensor[i] = T.CreateChecked(random.NextDouble());
        }

        return tensor;
    }
}
