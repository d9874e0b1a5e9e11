using Bilevel.Autodiff;
using Bilevel.Networks;
using Bilevel.Tensors;

namespace Bilevel.Tests.Networks;

public sealed class RnnTextEncoderTests
{
    private const int Input = 10;
    private const int Hidden = 16;
    private const int Batch = 4;
    private const int Length = 7;
    private static readonly int[] Lengths = [7, 3, 5, 1];

    [Fact]
    public void Layout_TwoLayers_PyTorchNamesShapesAndOrder()
    {
        var encoder = new RnnTextEncoder(Input, Hidden, layers: 2);

        Assert.Equal(
            ["rnn.weight_ih_l0", "rnn.weight_hh_l0", "rnn.bias_ih_l0", "rnn.bias_hh_l0", "rnn.weight_ih_l1", "rnn.weight_hh_l1", "rnn.bias_ih_l1", "rnn.bias_hh_l1"],
            encoder.Layout.Entries.Select(e => e.Name));
        int[][] shapes = [[16, 10], [16, 16], [16], [16], [16, 16], [16, 16], [16], [16]];
        Assert.Equal(shapes, encoder.Layout.Entries.Select(e => e.Shape));

        // 160 + 256 + 16 + 16 for layer 0, 256 + 256 + 16 + 16 for layer 1.
        Assert.Equal([0, 160, 416, 432, 448, 704, 960, 976], encoder.Layout.Entries.Select(e => e.Offset));
        Assert.Equal(992, encoder.Layout.Size);
        Assert.Equal(Hidden, encoder.FeatureSize);
    }

    [Fact]
    public void Layout_ThreeLayers_OnlyFirstReadsInputSize()
    {
        var encoder = new RnnTextEncoder(300, 8, layers: 3);

        Assert.Equal([8, 300], encoder.Layout["rnn.weight_ih_l0"].Shape);
        Assert.Equal([8, 8], encoder.Layout["rnn.weight_ih_l1"].Shape);
        Assert.Equal([8, 8], encoder.Layout["rnn.weight_ih_l2"].Shape);
        Assert.Equal((8 * 300) + 64 + 16 + (2 * (64 + 64 + 16)), encoder.Layout.Size);
    }

    [Theory]
    [InlineData(0, 4, 1)]
    [InlineData(4, 0, 1)]
    [InlineData(4, 4, 0)]
    public void Constructor_NonPositiveSizes_Throw(int input, int hidden, int layers)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RnnTextEncoder(input, hidden, layers));
    }

    [Fact]
    public void Initialize_EveryParameterWithinOneOverSqrtHiddenAndRangeUsed()
    {
        var encoder = new RnnTextEncoder(Input, Hidden);
        var parameters = new double[encoder.Layout.Size];
        Array.Fill(parameters, double.NaN);
        encoder.Initialize<double>(parameters, 0);
        var bound = 1.0 / Math.Sqrt(Hidden);

        Assert.All(parameters, v => Assert.InRange(v, -bound, bound));

        // 992 U(−¼, ¼) draws: the chance that none is beyond 0.95 of the bound on one side is 0.975^992 ≈ 1e-11, and a
        // bound of 1/H (0.0625) or 1/√D (0.32) would fail one of these or the range check.
        Assert.True(parameters.Max() > 0.95 * bound, $"max {parameters.Max()}, bound {bound}");
        Assert.True(parameters.Min() < -0.95 * bound, $"min {parameters.Min()}, bound {bound}");
    }

    [Fact]
    public void Initialize_SameSeed_BitwiseIdentical()
    {
        var encoder = new RnnTextEncoder(Input, Hidden);
        var first = new float[encoder.Layout.Size];
        var second = new float[encoder.Layout.Size];
        encoder.Initialize<float>(first, 12);
        encoder.Initialize<float>(second, 12);

        Assert.Equal(first.Select(BitConverter.SingleToInt32Bits), second.Select(BitConverter.SingleToInt32Bits));
    }

    [Fact]
    public void Initialize_WrongLength_ThrowsArgumentException()
    {
        var encoder = new RnnTextEncoder(Input, Hidden);

        var e = Assert.Throws<ArgumentException>(() => encoder.Initialize<double>(new double[991], 0));
        Assert.Equal("parameters", e.ParamName);
    }

    [Fact]
    public void Forward_Batch_OutputIsNByHidden()
    {
        var encoder = new RnnTextEncoder(Input, Hidden);
        var features = Features(encoder, Words(seed: 1));

        Assert.Equal(Batch * Hidden, features.Length);

        // Max over time of tanh outputs: every feature is in (−1, 1).
        Assert.All(features, v => Assert.InRange(v, -1.0, 1.0));
        Assert.Contains(features, v => v != 0);
    }

    [Fact]
    public void Forward_ShapeOfVariable_IsBatchByHidden()
    {
        var encoder = new RnnTextEncoder(Input, Hidden, layers: 1);
        var parameters = new double[encoder.Layout.Size];
        encoder.Initialize<double>(parameters, 0);
        var graph = new Graph<double>();

        var features = encoder.Forward(graph, encoder.Layout.Bind(graph, parameters), graph.Constant(new Tensor<double>(Words(seed: 1), 0, Batch, Length, Input)), Lengths);

        Assert.Equal([Batch, Hidden], features.Shape);
    }

    [Fact]
    public void Forward_PaddedTokensChanged_FeaturesBitwiseUnchanged()
    {
        var encoder = new RnnTextEncoder(Input, Hidden);
        var words = Words(seed: 2);
        var before = Features(encoder, words);

        // Overwrite every padded step (t ≥ lengthₙ) with large, different values.
        var random = new Random(99);
        var changed = 0;
        for (var n = 0; n < Batch; n++)
        {
            for (var t = Lengths[n]; t < Length; t++)
            {
                for (var d = 0; d < Input; d++)
                {
                    words[(((n * Length) + t) * Input) + d] = 50 * ((random.NextDouble() * 2) - 1);
                    changed++;
                }
            }
        }

        Assert.Equal((0 + 4 + 2 + 6) * Input, changed);
        var after = Features(encoder, words);

        Assert.Equal(before.Select(BitConverter.DoubleToInt64Bits), after.Select(BitConverter.DoubleToInt64Bits));
    }

    [Fact]
    public void Forward_RealTokenChanged_OnlyThatSentenceChanges()
    {
        // The counterpart of the padding test, so that one cannot pass by ignoring the input altogether.
        var encoder = new RnnTextEncoder(Input, Hidden);
        var words = Words(seed: 2);
        var before = Features(encoder, words);

        // Sentence 2 has length 5: change its step 4 (its last real token).
        for (var d = 0; d < Input; d++)
        {
            words[(((2 * Length) + 4) * Input) + d] += 0.5;
        }

        var after = Features(encoder, words);
        for (var n = 0; n < Batch; n++)
        {
            var rowBefore = before.AsSpan(n * Hidden, Hidden).ToArray();
            var rowAfter = after.AsSpan(n * Hidden, Hidden).ToArray();
            if (n == 2)
            {
                Assert.NotEqual(rowBefore, rowAfter);
            }
            else
            {
                Assert.Equal(rowBefore.Select(BitConverter.DoubleToInt64Bits), rowAfter.Select(BitConverter.DoubleToInt64Bits));
            }
        }
    }

    [Fact]
    public void Forward_WrongParameterCount_ThrowsArgumentException()
    {
        var encoder = new RnnTextEncoder(Input, Hidden);
        var graph = new Graph<double>();
        var parameters = encoder.Layout.Bind(graph, new double[encoder.Layout.Size]);

        var e = Assert.Throws<ArgumentException>(() => encoder.Forward(graph, parameters[..4], graph.Constant(new Tensor<double>(Words(1), 0, Batch, Length, Input)), Lengths));
        Assert.Contains("needs 8 parameter tensors, got 4", e.Message, StringComparison.Ordinal);
    }

    private static double[] Features(RnnTextEncoder encoder, double[] words)
    {
        var parameters = new double[encoder.Layout.Size];
        encoder.Initialize<double>(parameters, 5);
        var graph = new Graph<double>();
        var features = encoder.Forward(graph, encoder.Layout.Bind(graph, parameters), graph.Constant(new Tensor<double>(words, 0, Batch, Length, Input)), Lengths);
        Assert.Equal([Batch, Hidden], features.Shape);
        return features.Value.Span.ToArray();
    }

    private static double[] Words(int seed)
    {
        var random = new Random(seed);
        var words = new double[Batch * Length * Input];
        for (var i = 0; i < words.Length; i++)
        {
            words[i] = (random.NextDouble() * 2) - 1;
        }

        return words;
    }
}
