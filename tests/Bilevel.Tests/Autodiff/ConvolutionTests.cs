using Bilevel.Autodiff;
using Bilevel.Tensors;

namespace Bilevel.Tests.Autodiff;

/// <summary>
/// Conv2d with its bias on layers large enough for several GEMM column chunks, against a direct seven-loop
/// convolution and its adjoints (the finite-difference gradient checks use tiny layers).
/// </summary>
public sealed class ConvolutionTests
{
    [Theory]
    [InlineData(2, 16, 60, 70, 3, 1, 1)] // one GEMM per tap, two column blocks
    [InlineData(2, 17, 17, 13, 2, 1, 0)] // per tap, no padding
    [InlineData(2, 16, 6, 7, 3, 1, 3)] // per tap, padding wider than the kernel's overhang (borders not shared)
    [InlineData(3, 2, 9, 11, 4, 1, 1)] // im2col path (few channels)
    [InlineData(2, 4, 20, 30, 3, 1, 1)] // im2col path, below the per-tap channel count
    [InlineData(2, 3, 12, 10, 2, 2, 1)] // im2col path, stride 2
    public void Conv2d_LargeLayer_MatchesDirectConvolutionAndAdjoints(int n, int c, int h, int w, int f, int stride, int padding)
    {
        var random = new Random(n + c + h + w + f + stride + padding);
        var x = Random(random, n, c, h, w);
        var k = Random(random, f, c, 3, 3);
        var xt = Random(random, n, c, h, w);
        var kt = Random(random, f, c, 3, 3);
        var bias = Random(random, f);
        var biasTangent = Random(random, f);
        var ho = ((h + (2 * padding) - 3) / stride) + 1;
        var wo = ((w + (2 * padding) - 3) / stride) + 1;
        var readout = Random(random, n, f, ho, wo);

        var graph = new Graph<double>(tangents: true);
        var gx = new Tensor<double>(x.Shape);
        var gxt = new Tensor<double>(x.Shape);
        var gk = new Tensor<double>(k.Shape);
        var gkt = new Tensor<double>(k.Shape);
        var gb = new Tensor<double>(f);
        var gbt = new Tensor<double>(f);
        var y = graph.Conv2d(graph.Parameter(x, xt, gx, gxt), graph.Parameter(k, kt, gk, gkt), stride, padding, graph.Parameter(bias, biasTangent, gb, gbt));
        graph.Backward(graph.WeightedSum(y, readout));

        var expected = AddPerFilter(Direct(x, k, stride, padding, ho, wo), bias);
        var expectedTangent = AddPerFilter(Add(Direct(xt, k, stride, padding, ho, wo), Direct(x, kt, stride, padding, ho, wo)), biasTangent);
        AssertClose(expected, y.Value);
        AssertClose(expectedTangent, y.Tangent!);

        // L = Σ c ⊙ Y is linear in Y: X̄ = adjoint(K, c), K̄ = adjoint(X, c); their tangents use K̇ and Ẋ.
        var (adjointX, adjointK) = Adjoints(x, k, readout, stride, padding);
        AssertClose(adjointX, gx);
        AssertClose(adjointK, gk);
        var (tangentAdjointX, _) = Adjoints(x, kt, readout, stride, padding);
        var (_, tangentAdjointK) = Adjoints(xt, k, readout, stride, padding);
        AssertClose(tangentAdjointX, gxt);
        AssertClose(tangentAdjointK, gkt);

        // b̄_f = Σ c[·, f]; the read-out is linear, so b̄̇ = 0.
        var expectedBias = new Tensor<double>(f);
        for (var i = 0; i < readout.Size; i++)
        {
            expectedBias[i / (ho * wo) % f] += readout[i];
        }

        AssertClose(expectedBias, gb);
        AssertClose(new Tensor<double>(f), gbt);
    }

    [Theory]
    [InlineData(2)] // im2col path
    [InlineData(16)] // one GEMM per tap
    public void Conv2d_OnlyTheBiasHasATangent_TangentIsTheBiasTangent(int channels)
    {
        var random = new Random(channels);
        var x = Random(random, 2, channels, 5, 6);
        var k = Random(random, 3, channels, 3, 3);
        var biasTangent = Random(random, 3);
        var graph = new Graph<double>(tangents: true);

        // A first pass with input and kernel tangents leaves non-zero data in the arena's buffers, which the second
        // pass (only the bias has a tangent) gets back and must not read as a tangent product.
        graph.Conv2d(graph.Parameter(x, Random(random, x.Shape)), graph.Parameter(k, Random(random, k.Shape)), 1, 1,
            graph.Parameter(Random(random, 3), biasTangent));
        graph.Reset();
        var y = graph.Conv2d(graph.Constant(x), graph.Constant(k), 1, 1, graph.Parameter(Random(random, 3), biasTangent));
        AssertClose(AddPerFilter(new Tensor<double>(y.Shape), biasTangent), y.Tangent!);
    }

    [Theory]
    [InlineData(1)] // short patch: sample ranges on Blas.Threads threads
    [InlineData(16)] // one GEMM per tap
    public void Conv2d_OneOrTwoThreads_GiveIdenticalBits(int channels)
    {
        var random = new Random(40 + channels);
        var x = Random(random, 11, channels, 9, 8);
        var k = Random(random, 4, channels, 3, 3);
        var tangents = (Random(random, 11, channels, 9, 8), Random(random, 4, channels, 3, 3), Random(random, 4));
        var bias = Random(random, 4);
        var readout = Random(random, 11, 4, 9, 8);
        var threads = Blas.Threads;
        try
        {
            Blas.Threads = 2;
            var two = Gradients(x, k, bias, tangents, readout);
            Blas.Threads = 1;
            var one = Gradients(x, k, bias, tangents, readout);
            for (var i = 0; i < two.Length; i++)
            {
                Assert.Equal(one[i].Span.ToArray(), two[i].Span.ToArray());
            }
        }
        finally
        {
            Blas.Threads = threads;
        }
    }

    /// <summary>Y, Ẏ and every gradient and gradient tangent of L = Σ c ⊙ Y².</summary>
    private static Tensor<double>[] Gradients(Tensor<double> x, Tensor<double> k, Tensor<double> bias,
        (Tensor<double> X, Tensor<double> K, Tensor<double> Bias) tangents, Tensor<double> readout)
    {
        var graph = new Graph<double>(tangents: true);
        var gradients = new[] { x, x, k, k, bias, bias }.Select(t => new Tensor<double>(t.Shape)).ToArray();
        var y = graph.Conv2d(graph.Parameter(x, tangents.X, gradients[0], gradients[1]), graph.Parameter(k, tangents.K, gradients[2], gradients[3]),
            1, 1, graph.Parameter(bias, tangents.Bias, gradients[4], gradients[5]));
        graph.Backward(graph.WeightedSum(graph.Multiply(y, y), readout));
        return [y.Value, y.Tangent!, .. gradients];
    }

    private static Tensor<double> AddPerFilter(Tensor<double> y, Tensor<double> bias)
    {
        var positions = y.Shape[2] * y.Shape[3];
        for (var i = 0; i < y.Size; i++)
        {
            y[i] += bias[i / positions % bias.Size];
        }

        return y;
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

    private static Tensor<double> Direct(Tensor<double> x, Tensor<double> k, int stride, int padding, int ho, int wo)
    {
        int n = x.Shape[0], c = x.Shape[1], h = x.Shape[2], w = x.Shape[3], f = k.Shape[0];
        var y = new Tensor<double>(n, f, ho, wo);
        for (var b = 0; b < n; b++)
        {
            for (var o = 0; o < f; o++)
            {
                for (var oy = 0; oy < ho; oy++)
                {
                    for (var ox = 0; ox < wo; ox++)
                    {
                        var sum = 0.0;
                        for (var ch = 0; ch < c; ch++)
                        {
                            for (var i = 0; i < 3; i++)
                            {
                                for (var j = 0; j < 3; j++)
                                {
                                    int iy = (oy * stride) - padding + i, ix = (ox * stride) - padding + j;
                                    if (iy >= 0 && iy < h && ix >= 0 && ix < w)
                                    {
                                        sum += x[(((b * c) + ch) * h + iy) * w + ix] * k[(((o * c) + ch) * 3 + i) * 3 + j];
                                    }
                                }
                            }
                        }

                        y[(((b * f) + o) * ho + oy) * wo + ox] = sum;
                    }
                }
            }
        }

        return y;
    }

    private static (Tensor<double> X, Tensor<double> K) Adjoints(Tensor<double> x, Tensor<double> k, Tensor<double> gy, int stride, int padding)
    {
        int n = x.Shape[0], c = x.Shape[1], h = x.Shape[2], w = x.Shape[3], f = k.Shape[0], ho = gy.Shape[2], wo = gy.Shape[3];
        var gx = new Tensor<double>(x.Shape);
        var gk = new Tensor<double>(k.Shape);
        for (var b = 0; b < n; b++)
        {
            for (var o = 0; o < f; o++)
            {
                for (var oy = 0; oy < ho; oy++)
                {
                    for (var ox = 0; ox < wo; ox++)
                    {
                        var g = gy[(((b * f) + o) * ho + oy) * wo + ox];
                        for (var ch = 0; ch < c; ch++)
                        {
                            for (var i = 0; i < 3; i++)
                            {
                                for (var j = 0; j < 3; j++)
                                {
                                    int iy = (oy * stride) - padding + i, ix = (ox * stride) - padding + j;
                                    if (iy >= 0 && iy < h && ix >= 0 && ix < w)
                                    {
                                        var xi = (((b * c) + ch) * h + iy) * w + ix;
                                        var ki = (((o * c) + ch) * 3 + i) * 3 + j;
                                        gx[xi] += g * k[ki];
                                        gk[ki] += g * x[xi];
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }

        return (gx, gk);
    }

    private static Tensor<double> Add(Tensor<double> a, Tensor<double> b)
    {
        var sum = new Tensor<double>(a.Shape);
        for (var i = 0; i < a.Size; i++)
        {
            sum[i] = a[i] + b[i];
        }

        return sum;
    }

    private static void AssertClose(Tensor<double> expected, Tensor<double> actual)
    {
        Assert.Equal(expected.Shape, actual.Shape);
        for (var i = 0; i < expected.Size; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-12 * (1 + Math.Abs(expected[i])), $"index {i}: expected {expected[i]:R}, got {actual[i]:R}");
        }
    }
}
