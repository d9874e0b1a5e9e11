using System.Numerics;
using Bilevel.Autodiff;

namespace Bilevel.Networks;

/// <summary>
/// Paper 004's text encoder: a multi-layer Elman RNN (tanh) over word vectors with max-pooling over time on
/// variable-length sentences (<see cref="Operations.ElmanRnnStack{T}"/>, <see cref="Operations.MaxOverTime{T}"/>).
/// Parameters per layer in PyTorch's order: weight_ih [H, D], weight_hh [H, H], bias_ih [H], bias_hh [H].
/// </summary>
public sealed class RnnTextEncoder
{
    public RnnTextEncoder(int inputSize, int hiddenSize, int layers = 2)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(hiddenSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(layers);
        InputSize = inputSize;
        HiddenSize = hiddenSize;
        Layers = layers;
        for (var l = 0; l < layers; l++)
        {
            Layout.Add($"rnn.weight_ih_l{l}", hiddenSize, l == 0 ? inputSize : hiddenSize);
            Layout.Add($"rnn.weight_hh_l{l}", hiddenSize, hiddenSize);
            Layout.Add($"rnn.bias_ih_l{l}", hiddenSize);
            Layout.Add($"rnn.bias_hh_l{l}", hiddenSize);
        }
    }

    public int InputSize { get; }

    public int HiddenSize { get; }

    public int Layers { get; }

    /// <summary>Length of the pooled feature vector (= hidden size).</summary>
    public int FeatureSize => HiddenSize;

    public ParameterLayout Layout { get; } = new();

    /// <summary>PyTorch's default for recurrent layers: every parameter U(−1/√H, 1/√H), from <paramref name="seed"/>.</summary>
    public void Initialize<T>(Span<T> parameters, int seed)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (parameters.Length != Layout.Size)
        {
            throw new ArgumentException($"parameters has length {parameters.Length}, expected {Layout.Size}", nameof(parameters));
        }

        Initializers.Uniform(parameters, 1.0 / Math.Sqrt(HiddenSize), new Random(seed));
    }

    /// <summary>Pooled features [N, H] of word vectors [N, L, D] with per-sentence lengths.</summary>
    public Variable<T> Forward<T>(Graph<T> graph, IReadOnlyList<Variable<T>> parameters, Variable<T> inputs, ReadOnlyMemory<int> lengths)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(parameters);
        if (parameters.Count != Layout.Entries.Count)
        {
            throw new ArgumentException($"RnnTextEncoder needs {Layout.Entries.Count} parameter tensors, got {parameters.Count}");
        }

        var array = new Variable<T>[parameters.Count];
        for (var i = 0; i < array.Length; i++)
        {
            array[i] = parameters[i];
        }

        var hidden = graph.ElmanRnnStack(inputs, array, lengths);
        return graph.MaxOverTime(hidden, lengths);
    }
}
