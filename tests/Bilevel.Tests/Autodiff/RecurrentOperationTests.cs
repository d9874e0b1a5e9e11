using Bilevel.Autodiff;
using Bilevel.Tensors;

namespace Bilevel.Tests.Autodiff;

public sealed class RecurrentOperationTests
{
    private const int Batch = 3;
    private const int Length = 6;
    private const int Vocabulary = 9;
    private const int Width = 4;
    private const int Hidden = 5;
    private const int PadId = 8;
    private static readonly int[] Lengths = [6, 2, 4];
    private static readonly int[] Labels = [1, 0, 1];
    private static readonly int[] LengthThree = [3];
    private static readonly int[] LengthsTwoThree = [2, 3];
    private static readonly int[] RepeatedTokens = [2, 0, 2, 2];
    private static readonly int[] TwoLengths = [1, 2];

    public static TheoryData<string> CaseNames()
    {
        var data = new TheoryData<string>();
        foreach (var check in GradientCheckCases.Recurrent)
        {
            data.Add(check.Name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Run_RecurrentCase_GradientHvpCrossAndFloat32WithinTolerance(string name)
    {
        var check = GradientCheckCases.Recurrent.Single(c => c.Name == name);
        foreach (var seed in new[] { 0, 1, 2 })
        {
            var results = GradientCheck.Run(check, seed);
            Assert.Contains(results, r => r.Quantity == "hvp");
            Assert.Contains(results, r => r.Quantity == "cross");
            foreach (var result in results)
            {
                Assert.True(result.Passed, $"{result.Case} {result.Quantity} seed {seed}: {result.RelativeError:E2} > {result.Tolerance}");
            }
        }
    }

    [Fact]
    public void Recurrent_CaseNames_AreUniqueAndPartOfAll()
    {
        var all = GradientCheckCases.All.Select(c => c.Name).ToList();
        Assert.Equal(all.Count, all.Distinct().Count());
        Assert.All(GradientCheckCases.Recurrent, c => Assert.Contains(c.Name, all));
    }

    [Fact]
    public void ElmanRnn_Value_MatchesScalarReferenceOfPackedSequences()
    {
        var random = new Random(5);
        var x = Draw(random, Batch * Length * Width);
        var wih = Draw(random, Hidden * Width);
        var whh = Draw(random, Hidden * Hidden);
        var bih = Draw(random, Hidden);
        var bhh = Draw(random, Hidden);
        var graph = new Graph<double>();
        var h = graph.ElmanRnn(
            graph.Constant(new Tensor<double>(x, 0, Batch, Length, Width)),
            graph.Parameter(new Tensor<double>(wih, 0, Hidden, Width)),
            graph.Parameter(new Tensor<double>(whh, 0, Hidden, Hidden)),
            graph.Parameter(new Tensor<double>(bih, 0, Hidden)),
            graph.Parameter(new Tensor<double>(bhh, 0, Hidden)),
            Lengths);

        Assert.Equal([Batch, Length, Hidden], h.Shape);
        for (var n = 0; n < Batch; n++)
        {
            var state = new double[Hidden];
            for (var t = 0; t < Length; t++)
            {
                var next = new double[Hidden];
                for (var i = 0; i < Hidden; i++)
                {
                    var a = bih[i] + bhh[i];
                    for (var k = 0; k < Width; k++)
                    {
                        a += wih[(i * Width) + k] * x[(((n * Length) + t) * Width) + k];
                    }

                    for (var j = 0; j < Hidden; j++)
                    {
                        a += whh[(i * Hidden) + j] * state[j];
                    }

                    next[i] = Math.Tanh(a);
                }

                for (var i = 0; i < Hidden; i++)
                {
                    var actual = h.Value[(((n * Length) + t) * Hidden) + i];
                    if (t < Lengths[n])
                    {
                        Assert.Equal(next[i], actual, 1e-12);
                    }
                    else
                    {
                        Assert.Equal(0.0, actual);
                    }
                }

                state = next;
            }
        }
    }

    [Fact]
    public void ElmanRnnStack_MatchesPerSequenceCompositionOfExistingOps_ValueGradientAndHvp()
    {
        var layout = EncoderLayout(layers: 2);
        var random = new Random(9);
        var weights = Draw(random, layout.Size);
        var weightDirection = Draw(random, layout.Size);
        var inputs = Draw(random, Batch * Length * Width);
        var inputDirection = Draw(random, inputs.Length);
        var readout = Draw(random, Batch * Length * Hidden);
        var two = new Pass(layout.Size, inputs.Length);
        var one = new Pass(layout.Size, inputs.Length);

        // Fused: the whole padded batch; the read-out also weights padded outputs (whose adjoint must be dropped).
        var fused = new Graph<double>(tangents: true);
        var w = layout.Bind(fused, weights, weightDirection, two.Gw, two.Hw);
        var input = fused.Parameter(new Tensor<double>(inputs, 0, Batch, Length, Width), new Tensor<double>(inputDirection, 0, Batch, Length, Width),
            new Tensor<double>(two.Gx, 0, Batch, Length, Width), new Tensor<double>(two.Hx, 0, Batch, Length, Width));
        var h = fused.ElmanRnnStack(input, w, Lengths);
        var loss = fused.Add(fused.WeightedSum(h, new Tensor<double>(readout, 0, readout.Length)), fused.SumOfSquares(h, 0.3));
        fused.Backward(loss);

        // Reference: each sequence on its own, step by step, with MatMul, Add, AddBias and Tanh.
        var reference = new Graph<double>(tangents: true);
        var p = layout.Bind(reference, weights, weightDirection, one.Gw, one.Hw);
        Variable<double>? total = null;
        for (var n = 0; n < Batch; n++)
        {
            var previous = new Variable<double>?[2];
            for (var t = 0; t < Lengths[n]; t++)
            {
                var offset = ((n * Length) + t) * Width;
                var state = reference.Parameter(new Tensor<double>(inputs, offset, 1, Width), new Tensor<double>(inputDirection, offset, 1, Width),
                    new Tensor<double>(one.Gx, offset, 1, Width), new Tensor<double>(one.Hx, offset, 1, Width));
                for (var layer = 0; layer < 2; layer++)
                {
                    var a = reference.MatMul(state, p[4 * layer], transposeB: true);
                    if (previous[layer] is { } before)
                    {
                        a = reference.Add(a, reference.MatMul(before, p[(4 * layer) + 1], transposeB: true));
                    }

                    state = reference.Tanh(reference.AddBias(reference.AddBias(a, p[(4 * layer) + 2]), p[(4 * layer) + 3]));
                    previous[layer] = state;
                }

                var term = reference.Add(
                    reference.WeightedSum(state, new Tensor<double>(readout, ((n * Length) + t) * Hidden, 1, Hidden)),
                    reference.SumOfSquares(state, 0.3));
                total = total is null ? term : reference.Add(total, term);
            }
        }

        reference.Backward(total!);

        Assert.Equal(total!.Value[0], loss.Value[0], 1e-12);
        Assert.Equal(total.Tangent![0], loss.Tangent![0], 1e-12);
        AssertClose(one.Gw, two.Gw, 1e-12, "weight gradient");
        AssertClose(one.Gx, two.Gx, 1e-12, "input gradient");
        AssertClose(one.Hw, two.Hw, 1e-12, "weight gradient tangent");
        AssertClose(one.Hx, two.Hx, 1e-12, "input gradient tangent");
    }

    [Fact]
    public void PaddedTokens_ChangeNeitherLossNorGradients_AndTheirRowsGetNoGradient()
    {
        var tokens = Tokens(pad: PadId);
        var first = ModelPass(tokens, tangents: true);
        var changed = Tokens(pad: PadId - 1);
        var second = ModelPass(changed, tangents: true);

        Assert.Equal(BitConverter.DoubleToInt64Bits(first.Loss), BitConverter.DoubleToInt64Bits(second.Loss));
        Assert.Equal(BitConverter.DoubleToInt64Bits(first.Tangent), BitConverter.DoubleToInt64Bits(second.Tangent));
        Assert.Equal(first.Gradient, second.Gradient);
        Assert.Equal(first.GradientTangent, second.GradientTangent);

        // The rows of the ids that occur only at padded positions receive nothing.
        var table = ModelLayout()["table"];
        foreach (var id in new[] { PadId, PadId - 1 })
        {
            for (var k = 0; k < Width; k++)
            {
                Assert.Equal(0.0, first.Gradient[table.Offset + (id * Width) + k]);
                Assert.Equal(0.0, first.GradientTangent[table.Offset + (id * Width) + k]);
            }
        }

        // A real token does change the loss (the check above is not vacuous).
        var real = (int[])tokens.Clone();
        real[Length] = 5;
        Assert.NotEqual(first.Loss, ModelPass(real, tangents: true).Loss);
    }

    [Fact]
    public void PaddedInputs_ChangeNothing_GetZeroGradient_AndOutputsThereAreZero()
    {
        var layout = EncoderLayout(layers: 2);
        var random = new Random(3);
        var weights = Draw(random, layout.Size);
        var direction = Draw(random, layout.Size);
        var inputs = Draw(random, Batch * Length * Width);
        var inputDirection = Draw(random, inputs.Length);
        var first = InputPass(layout, weights, direction, inputs, inputDirection);

        var changed = (double[])inputs.Clone();
        var changedDirection = (double[])inputDirection.Clone();
        for (var n = 0; n < Batch; n++)
        {
            for (var t = Lengths[n]; t < Length; t++)
            {
                for (var k = 0; k < Width; k++)
                {
                    changed[(((n * Length) + t) * Width) + k] = 10 * random.NextDouble();
                    changedDirection[(((n * Length) + t) * Width) + k] = 10 * random.NextDouble();
                }
            }
        }

        var second = InputPass(layout, weights, direction, changed, changedDirection);
        Assert.Equal(BitConverter.DoubleToInt64Bits(first.Loss), BitConverter.DoubleToInt64Bits(second.Loss));
        Assert.Equal(BitConverter.DoubleToInt64Bits(first.Tangent), BitConverter.DoubleToInt64Bits(second.Tangent));
        Assert.Equal(first.Outputs, second.Outputs);
        Assert.Equal(first.Gw, second.Gw);
        Assert.Equal(first.Hw, second.Hw);
        Assert.Equal(first.Gx, second.Gx);
        Assert.Equal(first.Hx, second.Hx);
        for (var n = 0; n < Batch; n++)
        {
            for (var t = 0; t < Length; t++)
            {
                for (var k = 0; k < Width; k++)
                {
                    var i = (((n * Length) + t) * Width) + k;
                    if (t >= Lengths[n])
                    {
                        Assert.Equal(0.0, first.Gx[i]);
                        Assert.Equal(0.0, first.Hx[i]);
                    }
                }

                for (var j = 0; j < Hidden; j++)
                {
                    if (t >= Lengths[n])
                    {
                        Assert.Equal(0.0, first.Outputs[(((n * Length) + t) * Hidden) + j]);
                    }
                }
            }
        }
    }

    [Fact]
    public void GradientOnlyPass_EqualsTheGradientOfTheTangentPass()
    {
        var tokens = Tokens(pad: PadId);
        var withTangents = ModelPass(tokens, tangents: true);
        var without = ModelPass(tokens, tangents: false);
        Assert.Equal(BitConverter.DoubleToInt64Bits(withTangents.Loss), BitConverter.DoubleToInt64Bits(without.Loss));
        AssertClose(withTangents.Gradient, without.Gradient, 1e-14, "gradient");
    }

    [Fact]
    public void Pass_Repeated_ReusesTheArenaAndIsBitwiseRepeatable()
    {
        var layout = ModelLayout();
        var random = new Random(17);
        var values = Draw(random, layout.Size);
        var direction = Draw(random, layout.Size);
        var graph = new Graph<double>(tangents: true);
        double[]? previous = null;
        for (var pass = 0; pass < 3; pass++)
        {
            graph.Reset();
            var g = new double[layout.Size];
            var hg = new double[layout.Size];
            var loss = BuildModel(graph, layout.Bind(graph, values, direction, g, hg), Tokens(pad: PadId));
            graph.Backward(loss);
            double[] current = [loss.Value[0], .. g, .. hg];
            if (previous is not null)
            {
                Assert.Equal(previous, current);
            }

            previous = current;
        }
    }

    [Fact]
    public void MaxOverTime_Ties_GoToTheFirstStep()
    {
        var graph = new Graph<double>(tangents: true);
        double[] values = [1, -2, 3, 5, 3, 5, 0, 0];
        double[] direction = [10, 20, 30, 40, 50, 60, 70, 80];
        var gradient = new double[values.Length];
        var gradientTangent = new double[values.Length];
        var h = graph.Parameter(new Tensor<double>(values, 0, 1, 4, 2), new Tensor<double>(direction, 0, 1, 4, 2),
            new Tensor<double>(gradient, 0, 1, 4, 2), new Tensor<double>(gradientTangent, 0, 1, 4, 2));
        var pooled = graph.MaxOverTime(h, LengthThree);
        Assert.Equal([3.0, 5.0], pooled.Value.Span.ToArray());
        Assert.Equal([30.0, 40.0], pooled.Tangent!.Span.ToArray());
        graph.Backward(graph.WeightedSum(pooled, new Tensor<double>([7.0, 11.0], 0, 2)));
        Assert.Equal([0.0, 0, 7, 11, 0, 0, 0, 0], gradient);
        Assert.All(gradientTangent, v => Assert.Equal(0.0, v));
    }

    [Fact]
    public void MaxOverTime_PaddingZeros_ClipShortSequencesLikePaperCode()
    {
        // Sequence 0 (length 2 < 3) has all-negative outputs in column 0: PyTorch's max over pad_packed_sequence gives 0.
        double[] values = [-0.5, 0.2, -0.25, -0.1, 99, 99, -0.3, -0.4, -0.2, -0.6, -0.7, -0.8];
        var graph = new Graph<double>();
        var gradient = new double[values.Length];
        var h = graph.Parameter(new Tensor<double>(values, 0, 2, 3, 2), gradient: new Tensor<double>(gradient, 0, 2, 3, 2));
        var pooled = graph.MaxOverTime(h, LengthsTwoThree, includePaddingZeros: true);
        Assert.Equal([0.0, 0.2, -0.2, -0.4], pooled.Value.Span.ToArray());
        graph.Backward(graph.WeightedSum(pooled, new Tensor<double>([1.0, 2.0, 3.0, 4.0], 0, 4)));
        Assert.Equal([0.0, 2, 0, 0, 0, 0, 0, 4, 3, 0, 0, 0], gradient);

        var other = new Graph<double>();
        var plain = other.MaxOverTime(other.Constant(new Tensor<double>(values, 0, 2, 3, 2)), LengthsTwoThree);
        Assert.Equal([-0.25, 0.2, -0.2, -0.4], plain.Value.Span.ToArray());
    }

    [Fact]
    public void Embedding_RepeatedTokens_ScatterAddIntoTheirRow()
    {
        var graph = new Graph<double>();
        double[] table = [1, 2, 3, 4, 5, 6];
        var gradient = new double[6];
        var e = graph.Parameter(new Tensor<double>(table, 0, 3, 2), gradient: new Tensor<double>(gradient, 0, 3, 2));
        var y = graph.Embedding(e, RepeatedTokens, 2, 2);
        Assert.Equal([5.0, 6, 1, 2, 5, 6, 5, 6], y.Value.Span.ToArray());
        graph.Backward(graph.WeightedSum(y, new Tensor<double>([1.0, 2, 3, 4, 5, 6, 7, 8], 0, 8)));
        Assert.Equal([3.0, 4, 0, 0, 1 + 5 + 7, 2 + 6 + 8], gradient);
    }

    [Theory]
    [InlineData(9)]
    [InlineData(-1)]
    public void Embedding_BadTokenId_OneLineArgumentExceptionNamingThePosition(int id)
    {
        var graph = new Graph<double>();
        var table = graph.Constant(new Tensor<double>(Vocabulary, Width));
        var tokens = Tokens(pad: PadId);
        tokens[(1 * Length) + 1] = id;
        var error = Assert.Throws<ArgumentException>(() => graph.Embedding(table, tokens, Batch, Length));
        Assert.Contains($"token id {id} at position (n = 1, t = 1)", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);

        // With lengths, an id at a padded position is not read.
        tokens = Tokens(pad: PadId);
        tokens[(1 * Length) + 3] = id;
        var y = graph.Embedding(table, tokens, Batch, Length, Lengths);
        Assert.Equal([Batch, Length, Width], y.Shape);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    [InlineData(-3)]
    public void Lengths_OutOfRange_OneLineArgumentExceptionNamingTheSequence(int bad)
    {
        int[] lengths = [6, bad, 4];
        var graph = new Graph<double>();
        var h = graph.Constant(new Tensor<double>(Batch, Length, Hidden));
        var errors = new[]
        {
            Assert.Throws<ArgumentException>(() => graph.MaxOverTime(h, lengths)),
            Assert.Throws<ArgumentException>(() => Encoder(graph, graph.Constant(new Tensor<double>(Batch, Length, Width)), lengths)),
            Assert.Throws<ArgumentException>(() => graph.Embedding(graph.Constant(new Tensor<double>(Vocabulary, Width)), Tokens(PadId), Batch, Length, lengths)),
        };
        foreach (var error in errors)
        {
            Assert.Contains($"length {bad} of sequence 1 is outside [1, {Length}]", error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain('\n', error.Message);
        }
    }

    [Fact]
    public void Lengths_WrongCount_OrWrongShapes_ArgumentException()
    {
        var graph = new Graph<double>();
        var input = graph.Constant(new Tensor<double>(Batch, Length, Width));
        var error = Assert.Throws<ArgumentException>(() => graph.MaxOverTime(input, TwoLengths));
        Assert.Contains("2 lengths for a batch of 3", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => graph.ElmanRnn(input,
            graph.Constant(new Tensor<double>(Hidden, Width + 1)), graph.Constant(new Tensor<double>(Hidden, Hidden)),
            graph.Constant(new Tensor<double>(Hidden)), graph.Constant(new Tensor<double>(Hidden)), Lengths));
        Assert.Throws<ArgumentException>(() => graph.ElmanRnnStack(input, new Variable<double>[3], Lengths));
        Assert.Throws<ArgumentException>(() => graph.Embedding(graph.Constant(new Tensor<double>(Vocabulary, Width)), new int[5], Batch, Length));
        Assert.Throws<ArgumentException>(() => graph.Reshape(input, 5, 5));
    }

    private static Variable<double> Encoder(Graph<double> graph, Variable<double> input, int[] lengths) =>
        graph.ElmanRnn(input, graph.Constant(new Tensor<double>(Hidden, Width)), graph.Constant(new Tensor<double>(Hidden, Hidden)),
            graph.Constant(new Tensor<double>(Hidden)), graph.Constant(new Tensor<double>(Hidden)), lengths);

    /// <summary>Tokens of the padded batch: real ids in [0, 7), <paramref name="pad"/> at padded positions.</summary>
    private static int[] Tokens(int pad)
    {
        var tokens = new int[Batch * Length];
        for (var n = 0; n < Batch; n++)
        {
            for (var t = 0; t < Length; t++)
            {
                tokens[(n * Length) + t] = t < Lengths[n] ? ((3 * n) + (5 * t)) % 7 : pad;
            }
        }

        return tokens;
    }

    private static ParameterLayout EncoderLayout(int layers)
    {
        var layout = new ParameterLayout();
        for (var layer = 0; layer < layers; layer++)
        {
            layout.Add($"weight_ih_l{layer}", Hidden, layer == 0 ? Width : Hidden);
            layout.Add($"weight_hh_l{layer}", Hidden, Hidden);
            layout.Add($"bias_ih_l{layer}", Hidden);
            layout.Add($"bias_hh_l{layer}", Hidden);
        }

        return layout;
    }

    /// <summary>A trainable table, a 2-layer RNN, max over time and a linear head with cross-entropy.</summary>
    private static ParameterLayout ModelLayout()
    {
        var layout = EncoderLayout(layers: 2);
        layout.Add("table", Vocabulary, Width);
        layout.Add("head.weight", 2, Hidden);
        layout.Add("head.bias", 2);
        return layout;
    }

    private static Variable<double> BuildModel(Graph<double> graph, Variable<double>[] p, int[] tokens)
    {
        var words = graph.Embedding(p[8], tokens, Batch, Length);
        var pooled = graph.MaxOverTime(graph.ElmanRnnStack(words, p.AsSpan(0, 8), Lengths), Lengths);
        var logits = graph.AddBias(graph.MatMul(pooled, p[9], transposeB: true), p[10]);
        return graph.Add(graph.SoftmaxCrossEntropy(logits, Labels), graph.SumOfSquares(p[9], 0.05));
    }

    private static (double Loss, double Tangent, double[] Gradient, double[] GradientTangent) ModelPass(int[] tokens, bool tangents)
    {
        var layout = ModelLayout();
        var random = new Random(11);
        var values = Draw(random, layout.Size);
        var direction = Draw(random, layout.Size);
        var graph = new Graph<double>(tangents);
        var g = new double[layout.Size];
        var hg = new double[layout.Size];
        var loss = BuildModel(graph, layout.Bind(graph, values, direction, g, hg), tokens);
        graph.Backward(loss);
        return (loss.Value[0], loss.Tangent?[0] ?? 0, g, hg);
    }

    private static (double Loss, double Tangent, double[] Outputs, double[] Gw, double[] Hw, double[] Gx, double[] Hx) InputPass(
        ParameterLayout layout, double[] weights, double[] direction, double[] inputs, double[] inputDirection)
    {
        var graph = new Graph<double>(tangents: true);
        var pass = new Pass(layout.Size, inputs.Length);
        var w = layout.Bind(graph, weights, direction, pass.Gw, pass.Hw);
        var input = graph.Parameter(new Tensor<double>(inputs, 0, Batch, Length, Width), new Tensor<double>(inputDirection, 0, Batch, Length, Width),
            new Tensor<double>(pass.Gx, 0, Batch, Length, Width), new Tensor<double>(pass.Hx, 0, Batch, Length, Width));
        var h = graph.ElmanRnnStack(input, w, Lengths);
        var pooled = graph.MaxOverTime(h, Lengths);
        var loss = graph.Add(graph.SumOfSquares(graph.Tanh(pooled), 1.0), graph.SumOfSquares(h, 0.1));
        graph.Backward(loss);
        return (loss.Value[0], loss.Tangent![0], h.Value.Span.ToArray(), pass.Gw, pass.Hw, pass.Gx, pass.Hx);
    }

    private static double[] Draw(Random random, int n)
    {
        var values = new double[n];
        for (var i = 0; i < n; i++)
        {
            values[i] = (random.NextDouble() * 2) - 1;
        }

        return values;
    }

    private static void AssertClose(double[] expected, double[] actual, double tolerance, string what)
    {
        var difference = 0.0;
        var norm = 0.0;
        for (var i = 0; i < expected.Length; i++)
        {
            difference += (expected[i] - actual[i]) * (expected[i] - actual[i]);
            norm += expected[i] * expected[i];
        }

        var relative = Math.Sqrt(difference) / Math.Max(Math.Sqrt(norm), 1e-300);
        Assert.True(relative <= tolerance, $"{what}: relative difference {relative:E2} > {tolerance:E0}");
    }

    private sealed class Pass(int weights, int inputs)
    {
        public double[] Gw { get; } = new double[weights];

        public double[] Hw { get; } = new double[weights];

        public double[] Gx { get; } = new double[inputs];

        public double[] Hx { get; } = new double[inputs];
    }
}
