using System.Numerics;

namespace Bilevel.Autodiff;

/// <summary>
/// Checks for the sentence-encoder operations of paper 004 (BO-REP): embedding lookup, reshape, stacked Elman RNN
/// layers over a padded batch with variable lengths, and max-pooling over time.
/// </summary>
public static partial class GradientCheckCases
{
    /// <summary>The recurrent cases, in report order.</summary>
    /// <remarks>
    /// Held by a nested class so the list exists whenever it is read, whatever order the compiler runs the static
    /// initializers of this partial class's files in (<see cref="All"/> can include it).
    /// </remarks>
    public static IReadOnlyList<IGradientCheckCase> Recurrent => RecurrentCases.List;

    private static class RecurrentCases
    {
        public static readonly IReadOnlyList<IGradientCheckCase> List =
        [
            new EmbeddingCase(tableIsUpper: false),
            new EmbeddingCase(tableIsUpper: true),
            new RnnCase(RnnCase.Variant.HyperRepresentation),
            new RnnCase(RnnCase.Variant.EncoderAsLower),
            new RnnCase(RnnCase.Variant.InputsAsUpper),
        ];
    }

    /// <summary>
    /// Z = reshape(Embedding(E, tokens), N·L × D) · W with a read-out; E (V × D) as y and W as x, or E as x and W as y.
    /// Tokens repeat (the adjoint scatter-adds); the E-as-x variant passes lengths and pads with id −1.
    /// </summary>
    private sealed class EmbeddingCase : IGradientCheckCase
    {
        private const int Batch = 2;
        private const int Length = 4;
        private static readonly int[] Tokens = [0, 3, 3, 1, 4, 0, 2, 3];
        private static readonly int[] PaddedTokens = [0, 3, 3, 1, 4, 0, -1, -1];
        private static readonly int[] Lengths = [4, 2];
        private readonly bool _tableIsUpper;

        public EmbeddingCase(bool tableIsUpper)
        {
            _tableIsUpper = tableIsUpper;
            (tableIsUpper ? Upper : Lower).Add("table", 5, 3);
            (tableIsUpper ? Lower : Upper).Add("w", 3, 2);
        }

        public string Name => _tableIsUpper ? "embedding (table as x, lengths, pad id −1) + reshape" : "embedding (table as y) + reshape";

        public ParameterLayout Upper { get; } = new();

        public ParameterLayout Lower { get; } = new();

        public Variable<T> Build<T>(Graph<T> graph, Variable<T>[] x, Variable<T>[] y)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            var table = _tableIsUpper ? x[0] : y[0];
            var w = _tableIsUpper ? y[0] : x[0];
            var embedded = _tableIsUpper
                ? graph.Embedding(table, PaddedTokens, Batch, Length, Lengths)
                : graph.Embedding(table, Tokens, Batch, Length);
            return Readout(graph, graph.MatMul(graph.Reshape(embedded, Batch * Length, 3), w), 21);
        }
    }

    /// <summary>
    /// Paper 004's classifier on a padded batch (N = 3, L = 5, lengths {5, 3, 1}): frozen word vectors E (a constant
    /// table; padding id 0), a stack of Elman RNN layers (D = 4 → H = 3), max-pooling over time, a linear head
    /// (2 classes) and softmax cross-entropy with an L2 term on the lower group.
    /// </summary>
    private sealed class RnnCase : IGradientCheckCase
    {
        private const int Batch = 3;
        private const int Length = 5;
        private const int Width = 4;
        private const int Hidden = 3;
        private const int Classes = 2;
        private static readonly int[] Tokens = [1, 4, 2, 6, 3, 5, 2, 1, 0, 0, 3, 0, 0, 0, 0];
        private static readonly int[] Lengths = [5, 3, 1];
        private static readonly int[] Labels = [0, 1, 1];
        private readonly Variant _variant;

        public RnnCase(Variant variant)
        {
            _variant = variant;
            switch (variant)
            {
                case Variant.HyperRepresentation:
                    AddEncoder(Upper, layers: 2);
                    AddHead(Lower);
                    break;
                case Variant.EncoderAsLower:
                    AddHead(Upper);
                    AddEncoder(Lower, layers: 2);
                    break;
                default:
                    Upper.Add("inputs", Batch, Length, Width);
                    AddEncoder(Lower, layers: 1);
                    AddHead(Lower);
                    break;
            }
        }

        public enum Variant
        {
            /// <summary>x = the 2-layer RNN, y = the linear head (paper 004 §4.1, eq. 3).</summary>
            HyperRepresentation,

            /// <summary>y = the 2-layer RNN, x = the head.</summary>
            EncoderAsLower,

            /// <summary>x = the input word vectors, y = a 1-layer RNN and the head; pooling over PyTorch's padding zeros.</summary>
            InputsAsUpper,
        }

        public string Name => _variant switch
        {
            Variant.HyperRepresentation => "2-layer RNN + max over time, lengths {5,3,1} (x = RNN, y = head)",
            Variant.EncoderAsLower => "2-layer RNN + max over time, lengths {5,3,1} (x = head, y = RNN)",
            _ => "1-layer RNN + max over time with padding zeros (x = inputs, y = RNN and head)",
        };

        public ParameterLayout Upper { get; } = new();

        public ParameterLayout Lower { get; } = new();

        public Variable<T> Build<T>(Graph<T> graph, Variable<T>[] x, Variable<T>[] y)
            where T : unmanaged, IFloatingPointIeee754<T>
        {
            Variable<T> features;
            Variable<T>[] head;
            switch (_variant)
            {
                case Variant.HyperRepresentation:
                    features = graph.ElmanRnnStack(WordVectors(graph), x, Lengths);
                    head = y;
                    break;
                case Variant.EncoderAsLower:
                    features = graph.ElmanRnnStack(WordVectors(graph), y, Lengths);
                    head = x;
                    break;
                default:
                    features = graph.ElmanRnnStack(x[0], y.AsSpan(0, 4), Lengths);
                    head = y[4..];
                    break;
            }

            var pooled = graph.MaxOverTime(features, Lengths, includePaddingZeros: _variant == Variant.InputsAsUpper);
            var logits = graph.AddBias(graph.MatMul(pooled, head[0], transposeB: true), head[1]);
            var loss = graph.SoftmaxCrossEntropy(logits, Labels);
            foreach (var parameter in y)
            {
                loss = graph.Add(loss, graph.SumOfSquares(parameter, T.CreateChecked(0.05)));
            }

            return loss;
        }

        private static Variable<T> WordVectors<T>(Graph<T> graph)
            where T : unmanaged, IFloatingPointIeee754<T> =>
            graph.Embedding(graph.Constant(Constant<T>(31, 7, Width)), Tokens, Batch, Length);

        private static void AddEncoder(ParameterLayout layout, int layers)
        {
            for (var layer = 0; layer < layers; layer++)
            {
                layout.Add($"rnn.weight_ih_l{layer}", Hidden, layer == 0 ? Width : Hidden);
                layout.Add($"rnn.weight_hh_l{layer}", Hidden, Hidden);
                layout.Add($"rnn.bias_ih_l{layer}", Hidden);
                layout.Add($"rnn.bias_hh_l{layer}", Hidden);
            }
        }

        private static void AddHead(ParameterLayout layout)
        {
            layout.Add("head.weight", Classes, Hidden);
            layout.Add("head.bias", Classes);
        }
    }
}
