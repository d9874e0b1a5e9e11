using System.Numerics;
using Bilevel.Networks;

namespace Bilevel.Autodiff;

public static partial class GradientCheckCases
{
    /// <summary>Whole networks, small enough for finite differences over every parameter.</summary>
    public static IReadOnlyList<IGradientCheckCase> Networks { get; } =
    [
        new ConvNetRepresentationCase(),
    ];

    /// <summary>
    /// Hyper-representation (papers 001, 002 §4.1): x = a 4-block ConvNet (2 filters, 16×16 inputs so that
    /// 16 → 8 → 4 → 2 → 1), y = a linear head; L = CE(head(ConvNet(images))) + 0.005‖y‖².
    /// </summary>
    private sealed class ConvNetRepresentationCase : IGradientCheckCase, IGradientCheckStartingPoint
    {
        private static readonly int[] Labels = [0, 2, 1, 2];
        private readonly ConvNet _net = new(inputChannels: 1, filters: 2, blocks: 4, imageSize: 16);

        public ConvNetRepresentationCase()
        {
            foreach (var entry in _net.Layout.Entries)
            {
                Upper.Add(entry.Name, entry.Shape);
            }

            Lower.Add("head.weight", 3, _net.FeatureSize);
            Lower.Add("head.bias", 3);
        }

        public string Name => "ConvNet (4 blocks) + linear head";

        /// <summary>The network's own initialization (BN γ = 1, β = 0) plus U(−0.1, 0.1) noise, so no ReLU layer is all dead.</summary>
        public void Initialize(double[] upper, double[] lower, Random random)
        {
            _net.Initialize<double>(upper, 7);
            for (var i = 0; i < upper.Length; i++)
            {
                upper[i] += 0.2 * (random.NextDouble() - 0.5);
            }
        }

        public ParameterLayout Upper { get; } = new();

        public ParameterLayout Lower { get; } = new();

        public Variable<T> Build<T>(Graph<T> graph, Variable<T>[] x, Variable<T>[] y)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            var images = graph.Constant(Constant<T>(31, 4, 1, 16, 16));
            var features = _net.Forward(graph, x, images);
            var logits = graph.AddBias(graph.MatMul(features, y[0], transposeB: true), y[1]);
            return graph.Add(graph.SoftmaxCrossEntropy(logits, Labels), graph.SumOfSquares(y[0], T.CreateChecked(0.005)));
        }
    }
}
