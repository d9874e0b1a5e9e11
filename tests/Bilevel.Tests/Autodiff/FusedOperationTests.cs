using Bilevel.Autodiff;
using Bilevel.Tensors;

namespace Bilevel.Tests.Autodiff;

/// <summary>
/// The fused batch norm → ReLU → max-pool against the composition of the three operations (values, tangents,
/// adjoints and adjoint tangents of the input, γ and β), and the identity adjoints that hand Ȳ to their input.
/// </summary>
public sealed class FusedOperationTests
{
    [Theory]
    [InlineData(4, 3, 8, 8, 2)] // every position in a window
    [InlineData(3, 2, 7, 5, 2)] // a trailing row and column outside every window
    [InlineData(2, 3, 9, 6, 3)] // 3×3 windows
    public void BatchNormReluMaxPool2d_RandomBatch_MatchesUnfusedComposition(int n, int c, int h, int w, int size)
    {
        var random = new Random((n * 1000) + (c * 100) + (h * 10) + w + size);
        var inputs = Inputs(random, n, c, h, w);
        var readout = Random(random, n, c, h / size, w / size);

        var fused = Pass(inputs, readout, fused: true, size, secondConsumer: false);
        var unfused = Pass(inputs, readout, fused: false, size, secondConsumer: false);

        for (var i = 0; i < fused.Count; i++)
        {
            AssertClose(unfused[i], fused[i], 1e-12);
        }
    }

    [Fact]
    public void BatchNormReluMaxPool2d_InputWithAnotherConsumer_AddsToItsGradient()
    {
        // X also feeds a second read-out, whose adjoint runs first: the fused adjoint must add, not overwrite.
        var random = new Random(5);
        var inputs = Inputs(random, 3, 2, 6, 6);
        var readout = Random(random, 3, 2, 3, 3);

        var fused = Pass(inputs, readout, fused: true, 2, secondConsumer: true);
        var unfused = Pass(inputs, readout, fused: false, 2, secondConsumer: true);

        for (var i = 0; i < fused.Count; i++)
        {
            AssertClose(unfused[i], fused[i], 1e-12);
        }
    }

    [Fact]
    public void BatchNormReluMaxPool2d_OneOrTwoThreads_GiveIdenticalBits()
    {
        // One partition per channel on Blas.Threads threads: each channel's sums stay on one thread, in order.
        var random = new Random(17);
        var inputs = Inputs(random, 6, 8, 10, 12);
        var readout = Random(random, 6, 8, 5, 6);
        var threads = Blas.Threads;
        try
        {
            Blas.Threads = 2;
            var two = Pass(inputs, readout, fused: true, 2, secondConsumer: true);
            Blas.Threads = 1;
            var one = Pass(inputs, readout, fused: true, 2, secondConsumer: true);
            for (var i = 0; i < two.Count; i++)
            {
                Assert.Equal(one[i].Span.ToArray(), two[i].Span.ToArray());
            }
        }
        finally
        {
            Blas.Threads = threads;
        }
    }

    [Fact]
    public void BatchNormReluMaxPool2d_Float32_MatchesFloat64()
    {
        var random = new Random(11);
        var inputs = Inputs(random, 8, 4, 10, 10);
        var readout = Random(random, 8, 4, 5, 5);
        var reference = Pass(inputs, readout, fused: true, 2, secondConsumer: false);

        var graph = new Graph<float>(tangents: true);
        var x = ToFloat(inputs.X);
        var gx = new Tensor<float>(x.Shape);
        var gxt = new Tensor<float>(x.Shape);
        var vx = graph.Parameter(x, ToFloat(inputs.XTangent), gx, gxt);
        var vg = graph.Parameter(ToFloat(inputs.Gamma), ToFloat(inputs.GammaTangent));
        var vb = graph.Parameter(ToFloat(inputs.Beta), ToFloat(inputs.BetaTangent));
        var y = graph.BatchNormReluMaxPool2d(graph.Multiply(vx, vx), vg, vb);
        graph.Backward(graph.WeightedSum(y, ToFloat(readout)));

        AssertClose(reference[0], y.Value, 1e-4);
        AssertClose(reference[2], gx, 1e-4);
        AssertClose(reference[3], gxt, 1e-4);
    }

    [Fact]
    public void Add_SameInputTwice_DoublesGradient()
    {
        var graph = new Graph<double>(tangents: true);
        var x = new Tensor<double>(3);
        var gx = new Tensor<double>(3);
        var gxt = new Tensor<double>(3);
        var h = graph.Multiply(graph.Parameter(Fill(x, 1, 2, 3), Fill(new Tensor<double>(3), 1, 1, 1), gx, gxt), graph.Constant(Fill(new Tensor<double>(3), 2, 2, 2)));
        graph.Backward(graph.WeightedSum(graph.Add(h, h), Fill(new Tensor<double>(3), 1, 10, 100)));

        // h = 2x and L = Σ cᵢ (h + h)ᵢ, so ∂L/∂x = 4c; L is linear in x, so the gradient tangent is 0.
        Assert.Equal([4.0, 40.0, 400.0], gx.Span.ToArray());
        Assert.Equal([0.0, 0.0, 0.0], gxt.Span.ToArray());
    }

    [Fact]
    public void Add_BothInputsWithOtherConsumers_KeepsTheirGradientsApart()
    {
        // a and b both feed a + b and a product each; their adjoints must not share one buffer.
        var graph = new Graph<double>();
        var x = Fill(new Tensor<double>(2), 1, 2);
        var gx = new Tensor<double>(2);
        var px = graph.Parameter(x, null, gx);
        var a = graph.Multiply(px, graph.Constant(Fill(new Tensor<double>(2), 3, 3)));
        var b = graph.Multiply(px, graph.Constant(Fill(new Tensor<double>(2), 5, 5)));
        var sa = graph.WeightedSum(a, Fill(new Tensor<double>(2), 7, 7));
        var sb = graph.WeightedSum(b, Fill(new Tensor<double>(2), 11, 11));
        var sum = graph.WeightedSum(graph.Add(a, b), Fill(new Tensor<double>(2), 1, 1));
        graph.Backward(graph.Add(graph.Add(sum, sa), sb));

        // L = Σ (3x + 5x) + 7 Σ 3x + 11 Σ 5x: ∂L/∂x = 8 + 21 + 55 = 84.
        Assert.Equal([84.0, 84.0], gx.Span.ToArray());
    }

    private sealed record FusedInputs(Tensor<double> X, Tensor<double> XTangent, Tensor<double> Gamma, Tensor<double> GammaTangent, Tensor<double> Beta, Tensor<double> BetaTangent);

    private static FusedInputs Inputs(Random random, int n, int c, int h, int w)
    {
        var gamma = Random(random, c);
        var beta = Random(random, c);
        for (var i = 0; i < c; i++)
        {
            gamma[i] = 1 + (0.4 * gamma[i]);
            beta[i] *= 0.2;
        }

        return new FusedInputs(Random(random, n, c, h, w), Random(random, n, c, h, w), gamma, Random(random, c), beta, Random(random, c));
    }

    /// <summary>Value, tangent, X̄, X̄̇, γ̄, γ̄̇, β̄, β̄̇ of Σ readout ⊙ pool(relu(bn(X))) (+ Σ X ⊙ X-readout).</summary>
    private static List<Tensor<double>> Pass(FusedInputs inputs, Tensor<double> readout, bool fused, int size, bool secondConsumer)
    {
        var graph = new Graph<double>(tangents: true);
        var c = inputs.Gamma.Size;
        var gx = new Tensor<double>(inputs.X.Shape);
        var gxt = new Tensor<double>(inputs.X.Shape);
        var gg = new Tensor<double>(c);
        var ggt = new Tensor<double>(c);
        var gb = new Tensor<double>(c);
        var gbt = new Tensor<double>(c);
        var px = graph.Parameter(inputs.X, inputs.XTangent, gx, gxt);
        var pg = graph.Parameter(inputs.Gamma, inputs.GammaTangent, gg, ggt);
        var pb = graph.Parameter(inputs.Beta, inputs.BetaTangent, gb, gbt);

        // An intermediate X (no caller-owned gradient buffer), so the fused adjoint's overwrite path runs.
        var x = graph.Multiply(px, px);
        var y = fused ? graph.BatchNormReluMaxPool2d(x, pg, pb, size) : graph.MaxPool2d(graph.Relu(graph.BatchNorm2d(x, pg, pb)), size);
        var loss = graph.WeightedSum(y, readout);
        if (secondConsumer)
        {
            var weights = new Tensor<double>(inputs.X.Shape);
            for (var i = 0; i < weights.Size; i++)
            {
                weights[i] = Math.Sin(i);
            }

            loss = graph.Add(graph.WeightedSum(x, weights), loss);
        }

        graph.Backward(loss);
        return [y.Value, y.Tangent!, gx, gxt, gg, ggt, gb, gbt];
    }

    private static Tensor<double> Random(Random random, params int[] shape)
    {
        var t = new Tensor<double>(shape);
        for (var i = 0; i < t.Size; i++)
        {
            t[i] = random.NextDouble() - 0.5;
        }

        return t;
    }

    private static Tensor<double> Fill(Tensor<double> t, params double[] values)
    {
        values.CopyTo(t.Span);
        return t;
    }

    private static Tensor<float> ToFloat(Tensor<double> t)
    {
        var f = new Tensor<float>(t.Shape);
        for (var i = 0; i < t.Size; i++)
        {
            f[i] = (float)t[i];
        }

        return f;
    }

    private static void AssertClose(Tensor<double> expected, Tensor<double> actual, double tolerance)
    {
        Assert.Equal(expected.Shape, actual.Shape);
        var scale = 1.0;
        for (var i = 0; i < expected.Size; i++)
        {
            scale = Math.Max(scale, Math.Abs(expected[i]));
        }

        for (var i = 0; i < expected.Size; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance * scale, $"index {i}: expected {expected[i]:R}, got {actual[i]:R}");
        }
    }

    private static void AssertClose(Tensor<double> expected, Tensor<float> actual, double tolerance)
    {
        Assert.Equal(expected.Shape, actual.Shape);
        var scale = 1.0;
        for (var i = 0; i < expected.Size; i++)
        {
            scale = Math.Max(scale, Math.Abs(expected[i]));
        }

        for (var i = 0; i < expected.Size; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance * scale, $"index {i}: expected {expected[i]:R}, got {actual[i]:R}");
        }
    }
}
