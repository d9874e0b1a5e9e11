using System.Numerics;

namespace Bilevel.Autodiff;

public static partial class GradientCheckCases
{
    /// <summary>Convolution, pooling and batch-normalization cases.</summary>
    public static IReadOnlyList<IGradientCheckCase> Convolution { get; } =
    [
        new ConvolutionCase(stride: 1, padding: 1),
        new ConvolutionCase(stride: 2, padding: 0),
        new ShiftedConvolutionCase(padding: 1),
        new ShiftedConvolutionCase(padding: 0),
        new PoolCase(),
        new BatchNormCase(statisticsInLower: false),
        new BatchNormCase(statisticsInLower: true),
        new ConvBlockCase(fused: false),
        new ConvBlockCase(fused: true),
        new FusedTailCase(statisticsInLower: false),
        new FusedTailCase(statisticsInLower: true),
    ];

    private sealed class ConvolutionCase : IGradientCheckCase
    {
        private readonly int _stride;
        private readonly int _padding;

        public ConvolutionCase(int stride, int padding)
        {
            _stride = stride;
            _padding = padding;
            if (stride == 1)
            {
                Upper.Add("input", 2, 2, 5, 5);
                Lower.Add("kernel", 3, 2, 3, 3);
                Lower.Add("bias", 3);
            }
            else
            {
                Upper.Add("kernel", 2, 1, 3, 3);
                Lower.Add("input", 2, 1, 6, 6);
                Lower.Add("bias", 2);
            }
        }

        public string Name => $"conv2d 3×3 stride {_stride} padding {_padding} + bias";

        public ParameterLayout Upper { get; } = new();

        public ParameterLayout Lower { get; } = new();

        public Variable<T> Build<T>(Graph<T> graph, Variable<T>[] x, Variable<T>[] y)
            where T : unmanaged, IFloatingPointIeee754<T> =>
            _stride == 1
                ? Readout(graph, graph.Conv2d(x[0], y[0], _stride, _padding, y[1]), 21)
                : Readout(graph, graph.Conv2d(y[0], x[0], _stride, _padding, y[1]), 22);
    }

    /// <summary>Enough input channels for the one-GEMM-per-tap path (x = kernel, y = input, so both adjoints are checked).</summary>
    private sealed class ShiftedConvolutionCase : IGradientCheckCase
    {
        private readonly int _padding;

        public ShiftedConvolutionCase(int padding)
        {
            _padding = padding;
            Upper.Add("kernel", 3, Operations.ShiftedMinimumChannels, 3, 3);
            Upper.Add("bias", 3);
            Lower.Add("input", 2, Operations.ShiftedMinimumChannels, 4, 5);
        }

        public string Name => $"conv2d 3×3 stride 1 padding {_padding} + bias, one GEMM per tap";

        public ParameterLayout Upper { get; } = new();

        public ParameterLayout Lower { get; } = new();

        public Variable<T> Build<T>(Graph<T> graph, Variable<T>[] x, Variable<T>[] y)
            where T : unmanaged, IFloatingPointIeee754<T> =>
            Readout(graph, graph.Conv2d(y[0], x[0], 1, _padding, x[1]), 26);
    }

    private sealed class PoolCase : IGradientCheckCase
    {
        public PoolCase()
        {
            Upper.Add("u", 2, 2, 4, 4);
            Lower.Add("v", 2, 2, 4, 4);
        }

        public string Name => "max-pool 2×2 (of u ⊙ v)";

        public ParameterLayout Upper { get; } = new();

        public ParameterLayout Lower { get; } = new();

        public Variable<T> Build<T>(Graph<T> graph, Variable<T>[] x, Variable<T>[] y)
            where T : unmanaged, IFloatingPointIeee754<T> =>
            Readout(graph, graph.MaxPool2d(graph.Multiply(x[0], y[0])), 23);
    }

    private sealed class BatchNormCase : IGradientCheckCase
    {
        private readonly bool _statisticsInLower;

        public BatchNormCase(bool statisticsInLower)
        {
            _statisticsInLower = statisticsInLower;
            var (inputs, affine) = statisticsInLower ? (Lower, Upper) : (Upper, Lower);
            inputs.Add("input", 3, 2, 2, 3);
            affine.Add("gamma", 2);
            affine.Add("beta", 2);
        }

        public string Name => _statisticsInLower ? "batch norm (y = input, x = γ, β)" : "batch norm (x = input, y = γ, β)";

        public ParameterLayout Upper { get; } = new();

        public ParameterLayout Lower { get; } = new();

        public Variable<T> Build<T>(Graph<T> graph, Variable<T>[] x, Variable<T>[] y)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            var (inputs, affine) = _statisticsInLower ? (y, x) : (x, y);
            return Readout(graph, graph.BatchNorm2d(inputs[0], affine[0], affine[1]), 24);
        }
    }

    /// <summary>
    /// The fused batch norm → ReLU → max-pool 2 on a 5×5 input (a trailing row and column outside every window), with
    /// γ = 1 ± 0.2 and β = ±0.1 so some windows are active and some are not.
    /// </summary>
    private sealed class FusedTailCase : IGradientCheckCase, IGradientCheckStartingPoint
    {
        private readonly bool _statisticsInLower;

        public FusedTailCase(bool statisticsInLower)
        {
            _statisticsInLower = statisticsInLower;
            var (inputs, affine) = statisticsInLower ? (Lower, Upper) : (Upper, Lower);
            inputs.Add("input", 3, 2, 5, 5);
            affine.Add("gamma", 2);
            affine.Add("beta", 2);
        }

        public string Name => _statisticsInLower ? "fused BN → ReLU → pool (y = input, x = γ, β)" : "fused BN → ReLU → pool (x = input, y = γ, β)";

        public ParameterLayout Upper { get; } = new();

        public ParameterLayout Lower { get; } = new();

        public void Initialize(double[] upper, double[] lower, Random random)
        {
            var (layout, values) = _statisticsInLower ? (Upper, upper) : (Lower, lower);
            var gamma = layout["gamma"];
            var beta = layout["beta"];
            for (var i = 0; i < gamma.Size; i++)
            {
                values[gamma.Offset + i] = 1 + (0.4 * (random.NextDouble() - 0.5));
                values[beta.Offset + i] = 0.2 * (random.NextDouble() - 0.5);
            }
        }

        public Variable<T> Build<T>(Graph<T> graph, Variable<T>[] x, Variable<T>[] y)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            var (inputs, affine) = _statisticsInLower ? (y, x) : (x, y);
            return Readout(graph, graph.Flatten(graph.BatchNormReluMaxPool2d(inputs[0], affine[0], affine[1])), 26);
        }
    }

    /// <summary>One ConvNet block, conv 3×3 → batch norm → ReLU → max-pool 2, with x = images, y = all block weights.</summary>
    private sealed class ConvBlockCase : IGradientCheckCase, IGradientCheckStartingPoint
    {
        private readonly bool _fused;

        public ConvBlockCase(bool fused)
        {
            _fused = fused;
            Upper.Add("images", 2, 1, 6, 6);
            Lower.Add("kernel", 3, 1, 3, 3);
            Lower.Add("bias", 3);
            Lower.Add("gamma", 3);
            Lower.Add("beta", 3);
        }

        public string Name => _fused ? "conv block (conv → fused BN → ReLU → pool)" : "conv block (conv → BN → ReLU → pool)";

        /// <summary>γ = 1 ± 0.2 and β = ±0.1, so batch norm does not push a whole channel below zero before the ReLU.</summary>
        public void Initialize(double[] upper, double[] lower, Random random)
        {
            var gamma = Lower["gamma"];
            var beta = Lower["beta"];
            for (var i = 0; i < gamma.Size; i++)
            {
                lower[gamma.Offset + i] = 1 + (0.4 * (random.NextDouble() - 0.5));
                lower[beta.Offset + i] = 0.2 * (random.NextDouble() - 0.5);
            }
        }

        public ParameterLayout Upper { get; } = new();

        public ParameterLayout Lower { get; } = new();

        public Variable<T> Build<T>(Graph<T> graph, Variable<T>[] x, Variable<T>[] y)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            // The fused block takes the bias inside the convolution (as the ConvNet does); the unfused one adds it.
            var conv = _fused ? graph.Conv2d(x[0], y[0], 1, 1, y[1]) : graph.AddBias(graph.Conv2d(x[0], y[0], 1, 1), y[1], axis: 1);
            var block = _fused
                ? graph.BatchNormReluMaxPool2d(conv, y[2], y[3])
                : graph.MaxPool2d(graph.Relu(graph.BatchNorm2d(conv, y[2], y[3])));
            return Readout(graph, graph.Flatten(block), 25);
        }
    }
}
