using Bilevel.Autodiff;
using Bilevel.Benchmarks;
using Bilevel.Tensors;
using Bilevel.Tests.TestSupport;

namespace Bilevel.Tests.Autodiff;

/// <summary>
/// The graph's buffer arena: after <see cref="Graph{T}.Reset"/>, a pass that records the same operations on the same
/// shapes reuses the previous pass's buffers instead of allocating.
/// </summary>
public sealed class GraphArenaTests
{
    // One pass of the 1000 × 785 × 10 softmax regression would allocate its tensors afresh without the arena: the
    // logits alone are 1000·10 floats = 40 KB, the weight gradient 31 KB and the σ(λ) weights 4 KB, so a
    // non-reusing pass allocates well over 64 KiB. What is left in steady state are the per-pass Variable objects,
    // tensor views and backward closures (a few KiB).
    private const long AllocationBound = 64 * 1024;

    [Fact]
    public void Gradient_SoftmaxRegressionSteadyState_AllocatesUnder64KiB()
    {
        var model = EngineBenchmark.SoftmaxRegression<float>();
        var allocated = Allocations.SteadyState(() => model.Gradient(), warmups: 3, windows: 3, repeats: 1);

        Assert.True(allocated < AllocationBound, $"one steady-state gradient pass allocated {allocated} bytes");
    }

    [Fact]
    public void SecondOrder_SoftmaxRegressionSteadyState_AllocatesUnder64KiB()
    {
        var model = EngineBenchmark.SoftmaxRegression<float>();
        var allocated = Allocations.SteadyState(() => model.SecondOrder(), warmups: 3, windows: 3, repeats: 1);

        Assert.True(allocated < AllocationBound, $"one steady-state HVP + cross pass allocated {allocated} bytes");
    }

    [Fact]
    public void SecondOrder_SmallConvNetSteadyState_AllocatesUnder64KiB()
    {
        // Conv, batch-norm and pooling ops also take their buffers and argmax indices from the arena: what remains
        // does not grow with the batch or the filters.
        var model = EngineBenchmark.ConvNetHyperCleaning<float>(batch: 8, filters: 8);
        var allocated = Allocations.SteadyState(() => model.SecondOrder(), warmups: 3, windows: 3, repeats: 1);

        Assert.True(allocated < AllocationBound, $"one steady-state ConvNet HVP + cross pass allocated {allocated} bytes");
    }

    [Fact]
    public void SecondOrder_SmallRnnSteadyState_AllocatesUnder64KiB()
    {
        var model = EngineBenchmark.RnnHyperRepresentation<float>(batch: 8, tokens: 10, wordSize: 16, hidden: 32, vocabulary: 100);
        var allocated = Allocations.SteadyState(() => model.SecondOrder(), warmups: 3, windows: 3, repeats: 1);

        Assert.True(allocated < AllocationBound, $"one steady-state RNN HVP + cross pass allocated {allocated} bytes");
    }

    [Fact]
    public void SecondOrder_BenchmarkRnnSteadyState_AllocatesUnder16KiB()
    {
        // At the benchmark's size (64 sentences × 30 tokens, hidden 256) the max-over-time argmax alone is 64 KiB and
        // the token copy 7.5 KiB: both come from the graph's index arena, and the arena's tensors are reused with
        // their buffers, so what is left are variables, closures and parameter views (`bilevel bench engine`: 5 KiB).
        var model = EngineBenchmark.RnnHyperRepresentation<float>();
        var allocated = Allocations.SteadyState(() => model.SecondOrder(), warmups: 2, windows: 3, repeats: 1);

        Assert.True(allocated < 16 * 1024, $"one steady-state RNN HVP + cross pass allocated {allocated} bytes");
    }

    [Fact]
    public void Reset_AlternatingSizes_ReusesTheLargerBuffers()
    {
        // Batches of sentences of different lengths give passes of different shapes: once each slot has held its
        // largest size, smaller passes view the front of it. Without that, every pass would allocate its 80 or 40 KB
        // tensors afresh (10000 / 5000 doubles, value and f′ of tanh).
        var graph = new Graph<double>();
        var wide = new double[10000];
        var narrow = new double[5000];
        void Pass(double[] values)
        {
            graph.Reset();
            var x = graph.Parameter(new Tensor<double>(values, 0, values.Length));
            graph.Backward(graph.SumOfSquares(graph.Tanh(x), 0.5));
        }

        var allocated = Allocations.SteadyState(() =>
        {
            Pass(wide);
            Pass(narrow);
        });

        Assert.True(allocated < 8 * 1024, $"three pairs of passes allocated {allocated} bytes");
    }

    [Fact]
    public void Reset_SameShape_ReusesTensorObject()
    {
        var graph = new Graph<double>();
        var a = graph.Parameter(new Tensor<double>(new double[] { 1, 2, 3, 4, 5, 6 }, 0, 2, 3));
        var first = graph.Tanh(a).Value;

        graph.Reset();
        var same = graph.Tanh(a).Value;
        graph.Reset();
        var reshaped = graph.Tanh(graph.Parameter(new Tensor<double>(new double[] { 1, 2, 3, 4, 5, 6 }, 0, 3, 2))).Value;

        Assert.Same(first, same);
        Assert.NotSame(first, reshaped);
        Assert.Same(first.Buffer, reshaped.Buffer);
        Assert.Equal([3, 2], reshaped.Shape);
        Assert.Equal(Math.Tanh(6), reshaped[5], 1e-15);
    }

    [Fact]
    public void SecondOrder_SmallConvNetRepeated_BitwiseIdentical()
    {
        var model = EngineBenchmark.ConvNetHyperCleaning<float>(batch: 8, filters: 8);
        model.SecondOrder();
        float[][] first = [[.. model.GradientX], [.. model.GradientY], [.. model.Hvp], [.. model.CrossProduct]];

        model.SecondOrder();
        float[][] second = [model.GradientX, model.GradientY, model.Hvp, model.CrossProduct];

        for (var i = 0; i < first.Length; i++)
        {
            Assert.Equal(Bits(first[i]), Bits(second[i]));
            Assert.Contains(first[i], v => v != 0);
        }
    }

    [Fact]
    public void Gradient_SoftmaxRegressionFirstPass_AllocatesTheTensors()
    {
        // The control for the steady-state bound: the first pass, which fills the arena, is above it.
        var model = EngineBenchmark.SoftmaxRegression<float>();

        var before = GC.GetAllocatedBytesForCurrentThread();
        model.Gradient();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(allocated > AllocationBound, $"the first pass allocated only {allocated} bytes");
    }

    [Fact]
    public void Gradient_SoftmaxRegressionRepeated_BitwiseIdenticalGradients()
    {
        var model = EngineBenchmark.SoftmaxRegression<float>();
        var loss1 = model.Gradient();
        var gx1 = Bits(model.GradientX);
        var gy1 = Bits(model.GradientY);

        var loss2 = model.Gradient();

        Assert.Equal(BitConverter.SingleToInt32Bits(loss1), BitConverter.SingleToInt32Bits(loss2));
        Assert.Equal(gx1, Bits(model.GradientX));
        Assert.Equal(gy1, Bits(model.GradientY));
        Assert.Contains(gy1, b => b != 0);
        Assert.Contains(gx1, b => b != 0);
    }

    [Fact]
    public void SecondOrder_SoftmaxRegressionRepeated_BitwiseIdenticalGradientsHvpAndCross()
    {
        var model = EngineBenchmark.SoftmaxRegression<float>();
        model.SecondOrder();
        float[][] first = [[.. model.GradientX], [.. model.GradientY], [.. model.Hvp], [.. model.CrossProduct]];

        model.SecondOrder();
        float[][] second = [model.GradientX, model.GradientY, model.Hvp, model.CrossProduct];

        for (var i = 0; i < first.Length; i++)
        {
            Assert.Equal(Bits(first[i]), Bits(second[i]));
            Assert.Contains(first[i], v => v != 0);
        }
    }

    [Fact]
    public void SecondOrder_AfterGradientPass_GradientsMatchGradientPass()
    {
        // The two passes use separate graphs; the second-order pass's gradient is the same computation plus tangents.
        var model = EngineBenchmark.SoftmaxRegression<double>(samples: 50, features: 20, classes: 3);
        var loss = model.Gradient();
        var gx = (double[])model.GradientX.Clone();
        var gy = (double[])model.GradientY.Clone();

        var secondLoss = model.SecondOrder();

        Assert.Equal(loss, secondLoss, 1e-14);
        for (var i = 0; i < gx.Length; i++)
        {
            Assert.Equal(gx[i], model.GradientX[i], 1e-14);
        }

        for (var i = 0; i < gy.Length; i++)
        {
            Assert.Equal(gy[i], model.GradientY[i], 1e-14);
        }
    }

    [Fact]
    public void Reset_SameOperationsAndShapes_ReusesBuffers()
    {
        var graph = new Graph<double>();
        var a = graph.Parameter(new Tensor<double>(new double[] { 1, 2, 3, 4, 5, 6 }, 0, 2, 3));
        var b = graph.Parameter(new Tensor<double>(new double[] { 1, 0, 2, 1, 0, 3 }, 0, 3, 2));

        var first = graph.MatMul(a, b);
        var firstBuffer = first.Value.Buffer;
        var withoutReset = graph.MatMul(a, b);
        Assert.NotSame(firstBuffer, withoutReset.Value.Buffer);

        graph.Reset();
        Assert.Equal(0, graph.Count);
        var second = graph.MatMul(a, b);

        Assert.Same(firstBuffer, second.Value.Buffer);
        Assert.Equal([5.0, 11, 14, 23], second.Value.Span.ToArray());
    }

    [Fact]
    public void Reset_SmallerShape_ReusesBufferWithCorrectValues()
    {
        var graph = new Graph<double>();
        var a = graph.Parameter(new Tensor<double>(new double[] { 1, 2, 3, 4, 5, 6 }, 0, 2, 3));
        var b = graph.Parameter(new Tensor<double>(new double[] { 1, 0, 2, 1, 0, 3 }, 0, 3, 2));
        var first = graph.MatMul(a, b);

        graph.Reset();
        var column = graph.Parameter(new Tensor<double>(new double[] { 1, -1, 2 }, 0, 3, 1));
        var second = graph.MatMul(a, column);

        Assert.Same(first.Value.Buffer, second.Value.Buffer);
        Assert.Equal([2, 1], second.Shape);
        Assert.Equal(2, second.Value.Size);
        Assert.Equal([5.0, 11], second.Value.Span.ToArray());
    }

    [Fact]
    public void Reset_LargerShape_FreshBufferWithCorrectValues()
    {
        var graph = new Graph<double>();
        var a = graph.Parameter(new Tensor<double>(new double[] { 1, 2, 3, 4, 5, 6 }, 0, 2, 3));
        var column = graph.Parameter(new Tensor<double>(new double[] { 1, -1, 2 }, 0, 3, 1));
        var first = graph.MatMul(a, column);

        graph.Reset();
        var b = graph.Parameter(new Tensor<double>(new double[] { 1, 0, 2, 1, 0, 3 }, 0, 3, 2));
        var second = graph.MatMul(a, b);

        Assert.NotSame(first.Value.Buffer, second.Value.Buffer);
        Assert.Equal([5.0, 11, 14, 23], second.Value.Span.ToArray());
    }

    [Fact]
    public void Reset_SmallerZeroedBuffer_ClearsOnlyItsView()
    {
        // A zeroed tensor viewing the front of a larger buffer starts from zero; the adjoint of SumOfSquares gives the
        // same gradient as on a fresh graph.
        var graph = new Graph<double>();
        var wide = graph.Parameter(new Tensor<double>(new double[] { 1, 2, 3, 4 }, 0, 4));
        graph.Backward(graph.SumOfSquares(graph.Tanh(wide), 0.5));

        graph.Reset();
        var values = new double[] { 0.5, -1 };
        var gradient = new double[2];
        var narrow = graph.Parameter(new Tensor<double>(values, 0, 2), gradient: new Tensor<double>(gradient, 0, 2));
        graph.Backward(graph.SumOfSquares(graph.Tanh(narrow), 0.5));

        for (var i = 0; i < 2; i++)
        {
            var t = Math.Tanh(values[i]);
            Assert.Equal(t * (1 - (t * t)), gradient[i], 1e-15);
        }
    }

    [Fact]
    public void Reset_ReusedZeroedBuffer_StartsFromZeroAgain()
    {
        // SumOfSquares allocates a zeroed buffer for its value; after Reset the reused buffer must not carry the old
        // pass's gradient: the second backward pass gives the same parameter gradient, not twice it.
        var graph = new Graph<double>();
        var values = new double[] { 1, -2, 3 };
        var gradient1 = new double[3];
        var x = graph.Parameter(new Tensor<double>(values, 0, 3), gradient: new Tensor<double>(gradient1, 0, 3));
        var loss = graph.SumOfSquares(graph.Tanh(x), 0.5);
        graph.Backward(loss);
        var firstLoss = loss.Value[0];

        graph.Reset();
        var gradient2 = new double[3];
        var x2 = graph.Parameter(new Tensor<double>(values, 0, 3), gradient: new Tensor<double>(gradient2, 0, 3));
        var loss2 = graph.SumOfSquares(graph.Tanh(x2), 0.5);
        graph.Backward(loss2);

        Assert.Equal(firstLoss, loss2.Value[0]);
        Assert.Equal(gradient1, gradient2);

        // d/dx ½ tanh²(x) = tanh(x)(1 − tanh²(x)).
        for (var i = 0; i < 3; i++)
        {
            var t = Math.Tanh(values[i]);
            Assert.Equal(t * (1 - (t * t)), gradient2[i], 1e-15);
        }
    }

    private static int[] Bits(float[] values) => [.. values.Select(BitConverter.SingleToInt32Bits)];
}
