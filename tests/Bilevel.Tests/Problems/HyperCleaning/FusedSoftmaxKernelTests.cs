using Bilevel.Problems.HyperCleaning;
using Bilevel.Tensors;
using Bilevel.Tests.TestSupport;

namespace Bilevel.Tests.Problems.HyperCleaning;

/// <summary>
/// The fused float32 kernels of <see cref="WeightedSoftmaxRegression{T}"/> (AVX2/FMA, rows through the index list,
/// partitioned over threads) against the float64 GEMM path on synthetic data: odd feature counts (vector tails),
/// class counts that are not a multiple of the register block, odd and one-row batches, repeated indices, the
/// full batch; bit-identical results for repeated calls and thread counts; no allocation in steady state.
/// </summary>
public sealed class FusedSoftmaxKernelTests
{
    private sealed record Case(float[] Features, int[] Labels, int D, int C, double[] W, double[] V, double[] S, int[] Rows);

    private static Case MakeCase(int count, int d, int c, int batch, int seed)
    {
        var random = new Random(seed);
        var features = new float[count * d];
        for (var i = 0; i < features.Length; i++)
        {
            features[i] = (float)((random.NextDouble() * 2) - 1);
        }

        var labels = new int[count];
        for (var i = 0; i < count; i++)
        {
            labels[i] = random.Next(c);
        }

        var w = new double[c * d];
        var v = new double[c * d];
        for (var i = 0; i < w.Length; i++)
        {
            w[i] = 0.3 * ((random.NextDouble() * 2) - 1);
            v[i] = (random.NextDouble() * 2) - 1;
        }

        // Repeated indices on purpose: a small pool for small batches.
        var rows = new int[batch];
        for (var i = 0; i < batch; i++)
        {
            rows[i] = random.Next(Math.Min(count, Math.Max(1, batch / 2)));
        }

        var s = new double[batch == 0 ? count : batch];
        for (var i = 0; i < s.Length; i++)
        {
            s[i] = random.NextDouble();
        }

        return new Case(features, labels, d, c, w, v, s, rows);
    }

    private sealed record Outputs(double Loss, double[] Gradient, double[] WeightGradient, double[] Hvp, double[] Cross);

    private static Outputs Run<T>(WeightedSoftmaxRegression<T> model, Case data, bool gradientAndHvpTogether = true)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var b = data.Rows.Length == 0 ? data.Labels.Length : data.Rows.Length;
        var o = new Outputs(0, new double[data.C * data.D], new double[b], new double[data.C * data.D], new double[b]);
        if (gradientAndHvpTogether)
        {
            return o with { Loss = model.Evaluate(data.Rows, data.S, data.W, data.V, o.Gradient, o.WeightGradient, o.Hvp, o.Cross) };
        }

        var loss = model.Evaluate(data.Rows, data.S, data.W, [], o.Gradient, o.WeightGradient, [], []);
        model.Evaluate(data.Rows, data.S, data.W, data.V, [], [], o.Hvp, []);
        model.Evaluate(data.Rows, data.S, data.W, data.V, [], [], [], o.Cross);
        return o with { Loss = loss };
    }

    private static void AssertClose(Outputs expected, Outputs actual, double tolerance)
    {
        Assert.True(Math.Abs(expected.Loss - actual.Loss) <= tolerance * Math.Abs(expected.Loss), $"loss {actual.Loss} vs {expected.Loss}");
        Check.Close(expected.Gradient, actual.Gradient, tolerance, "∇W L");
        Check.Close(expected.WeightGradient, actual.WeightGradient, tolerance, "∂L/∂s");
        Check.Close(expected.Hvp, actual.Hvp, tolerance, "HVP");
        Check.Close(expected.Cross, actual.Cross, tolerance, "∂⟨∇W L, V⟩/∂s");
    }

    private static void AssertBitIdentical(Outputs a, Outputs b)
    {
        Assert.Equal(BitConverter.DoubleToInt64Bits(a.Loss), BitConverter.DoubleToInt64Bits(b.Loss));
        Assert.Equal(a.Gradient, b.Gradient);
        Assert.Equal(a.WeightGradient, b.WeightGradient);
        Assert.Equal(a.Hvp, b.Hvp);
        Assert.Equal(a.Cross, b.Cross);
    }

    public static TheoryData<int, int, int> Shapes => new()
    {
        // features d, classes C, batch (0 = full batch of 300 rows)
        { 785, 10, 1000 },
        { 785, 10, 1 },
        { 37, 3, 7 },
        { 24, 7, 2 },
        { 9, 2, 33 },
        { 51, 10, 0 },
        { 130, 4, 257 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Evaluate_Float32Fused_AgreesWithFloat64(int d, int c, int batch)
    {
        var data = MakeCase(300, d, c, batch, 11 + d + batch);
        var reference = Run(new WeightedSoftmaxRegression<double>(Array.ConvertAll(data.Features, f => (double)f), data.Labels, d, c), data);
        var fused = new WeightedSoftmaxRegression<float>(data.Features, data.Labels, d, c);
        Assert.Equal(SoftmaxKernels.IsSupported, fused.UseFusedKernels);
        AssertClose(reference, Run(fused, data), 2e-5);
        AssertClose(reference, Run(fused, data, gradientAndHvpTogether: false), 2e-5);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Evaluate_Float32Fused_AgreesWithFloat32Gemm(int d, int c, int batch)
    {
        var data = MakeCase(300, d, c, batch, 5 + d + batch);
        var gemm = new WeightedSoftmaxRegression<float>(data.Features, data.Labels, d, c) { UseFusedKernels = false };
        var fused = new WeightedSoftmaxRegression<float>(data.Features, data.Labels, d, c);
        AssertClose(Run(gemm, data), Run(fused, data), 2e-5);
    }

    [Fact]
    public void Evaluate_RepeatedCallsAndThreadCounts_AreBitIdentical()
    {
        var data = MakeCase(3000, 785, 10, 1000, 3);
        var model = new WeightedSoftmaxRegression<float>(data.Features, data.Labels, 785, 10);
        var threads = Blas.Threads;
        try
        {
            Blas.Threads = 2;
            var first = Run(model, data);
            var second = Run(model, data);
            Blas.Threads = 1;
            var single = Run(model, data);
            AssertBitIdentical(first, second);
            AssertBitIdentical(first, single);
        }
        finally
        {
            Blas.Threads = threads;
        }
    }

    [Fact]
    public void Evaluate_RepeatedIndex_CountsTheRowTwice()
    {
        var data = MakeCase(50, 40, 5, 3, 8) with { Rows = [4, 4, 9], S = [0.5, 0.5, 0.25] };
        var model = new WeightedSoftmaxRegression<float>(data.Features, data.Labels, 40, 5);
        var twice = Run(model, data);
        var once = Run(model, data with { Rows = [4, 9], S = [1.0, 0.25] });

        // Row 4 with weight 0.5 twice = row 4 with weight 1 once; the mean is over 3 rows against 2.
        Check.Close(once.Gradient.Select(g => g * 2 / 3).ToArray(), twice.Gradient, 1e-6, "∇W L");
        Check.Close(once.Hvp.Select(g => g * 2 / 3).ToArray(), twice.Hvp, 1e-6, "HVP");
        Assert.Equal(twice.WeightGradient[0], twice.WeightGradient[1]);
    }

    [Fact]
    public void Evaluate_SteadyState_DoesNotAllocate()
    {
        var data = MakeCase(2000, 785, 10, 1000, 4);
        var model = new WeightedSoftmaxRegression<float>(data.Features, data.Labels, 785, 10);
        var o = Run(model, data);
        var bytes = Allocations.SteadyState(() =>
        {
            model.Evaluate(data.Rows, data.S, data.W, data.V, o.Gradient, o.WeightGradient, o.Hvp, o.Cross);
            model.Evaluate(data.Rows, data.S, data.W, [], o.Gradient, [], [], []);
        });
        Assert.Equal(0, bytes);
    }
}
