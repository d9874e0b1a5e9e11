using System.Numerics;
using Bilevel.Tensors;

namespace Bilevel.Autodiff;

/// <summary>
/// The functions <c>bilevel gradcheck</c> and the tests check: every operation of the engine inside a small scalar
/// L(x, y) that exercises its second derivatives (a read-out Σ c ⊙ f(·) plus a quadratic term), with the upper group
/// x and the lower group y placed as a bilevel problem places them.
/// </summary>
public static partial class GradientCheckCases
{
    /// <summary>All cases, in report order.</summary>
    public static IReadOnlyList<IGradientCheckCase> All => [.. Dense, .. Convolution, .. Recurrent, .. Networks];

    /// <summary>Dense-layer, activation and loss cases.</summary>
    public static IReadOnlyList<IGradientCheckCase> Dense { get; } =
    [
        new MatMulCase(transposeB: false),
        new MatMulCase(transposeB: true),
        new BiasCase(),
        new ActivationCase("relu"),
        new ActivationCase("tanh"),
        new ActivationCase("sigmoid"),
        new WeightedCrossEntropyCase(),
    ];

    /// <summary>Constants drawn from a fixed seed, identical for float32 and float64.</summary>
    internal static Tensor<T> Constant<T>(int seed, params int[] shape)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var random = new Random(seed);
        var tensor = new Tensor<T>(shape);
        for (var i = 0; i < tensor.Size; i++)
        {
            tensor[i] = T.CreateChecked((random.NextDouble() * 2) - 1);
        }

        return tensor;
    }

    /// <summary>L = Σ c ⊙ tanh(Z) + 0.3 Σ Z² for a case's output Z.</summary>
    internal static Variable<T> Readout<T>(Graph<T> graph, Variable<T> z, int seed)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var linear = graph.WeightedSum(graph.Tanh(z), Constant<T>(seed, z.Value.Size));
        return graph.Add(linear, graph.SumOfSquares(z, T.CreateChecked(0.3)));
    }

    private sealed class MatMulCase : IGradientCheckCase
    {
        private readonly bool _transposeB;

        public MatMulCase(bool transposeB)
        {
            _transposeB = transposeB;
            Upper.Add("a", 3, 4);
            Lower.Add("b", transposeB ? [5, 4] : [4, 5]);
        }

        public string Name => _transposeB ? "matmul A·Bᵀ" : "matmul A·B";

        public ParameterLayout Upper { get; } = new();

        public ParameterLayout Lower { get; } = new();

        public Variable<T> Build<T>(Graph<T> graph, Variable<T>[] x, Variable<T>[] y)
            where T : unmanaged, IFloatingPointIeee754<T> =>
            Readout(graph, graph.MatMul(x[0], y[0], _transposeB), 11);
    }

    private sealed class BiasCase : IGradientCheckCase
    {
        public BiasCase()
        {
            Upper.Add("input", 2, 3, 4);
            Lower.Add("bias", 3);
        }

        public string Name => "bias (axis 1)";

        public ParameterLayout Upper { get; } = new();

        public ParameterLayout Lower { get; } = new();

        public Variable<T> Build<T>(Graph<T> graph, Variable<T>[] x, Variable<T>[] y)
            where T : unmanaged, IFloatingPointIeee754<T> =>
            Readout(graph, graph.AddBias(x[0], y[0], axis: 1), 12);
    }

    private sealed class ActivationCase : IGradientCheckCase
    {
        private readonly string _activation;

        public ActivationCase(string activation)
        {
            _activation = activation;
            Upper.Add("u", 10);
            Lower.Add("v", 10);
        }

        public string Name => $"{_activation} (of u ⊙ v)";

        public ParameterLayout Upper { get; } = new();

        public ParameterLayout Lower { get; } = new();

        public Variable<T> Build<T>(Graph<T> graph, Variable<T>[] x, Variable<T>[] y)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            var product = graph.Multiply(x[0], y[0]);
            var activated = _activation switch
            {
                "relu" => graph.Relu(product),
                "tanh" => graph.Tanh(product),
                _ => graph.Sigmoid(product),
            };
            return graph.Add(
                graph.WeightedSum(activated, Constant<T>(13, 10)),
                graph.SumOfSquares(activated, T.CreateChecked(0.5)));
        }
    }

    /// <summary>Hyper-cleaning's structure: L = (1/N) Σ σ(λᵢ) CE(zᵢ, yᵢ) + 0.01‖Z‖², x = λ, y = Z.</summary>
    private sealed class WeightedCrossEntropyCase : IGradientCheckCase
    {
        private static readonly int[] Labels = [0, 3, 1, 2, 3, 0];

        public WeightedCrossEntropyCase()
        {
            Upper.Add("lambda", 6);
            Lower.Add("logits", 6, 4);
        }

        public string Name => "weighted softmax cross-entropy σ(λ) + L2";

        public ParameterLayout Upper { get; } = new();

        public ParameterLayout Lower { get; } = new();

        public Variable<T> Build<T>(Graph<T> graph, Variable<T>[] x, Variable<T>[] y)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            var weights = graph.Sigmoid(x[0]);
            var loss = graph.SoftmaxCrossEntropy(y[0], Labels, weights);
            return graph.Add(loss, graph.SumOfSquares(y[0], T.CreateChecked(0.01)));
        }
    }
}
