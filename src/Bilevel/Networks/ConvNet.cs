using System.Numerics;
using Bilevel.Autodiff;

namespace Bilevel.Networks;

/// <summary>
/// The 4-block ConvNet of papers 000 (§6.2), 001 and 002 (§4.1) for 28×28 inputs: each block is conv 3×3 (padding 1)
/// → batch norm (batch statistics) → ReLU → max-pool 2, with <see cref="Filters"/> filters (32 or 64). For 28×28 the
/// spatial size goes 28 → 14 → 7 → 3 → 1, so the output is a feature vector of length <see cref="FeatureSize"/>
/// (= filters). Parameters live in one flat vector laid out by <see cref="Layout"/>.
/// </summary>
public sealed class ConvNet
{
    public ConvNet(int inputChannels = 1, int filters = 64, int blocks = 4, int imageSize = 28)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputChannels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(filters);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(blocks);
        InputChannels = inputChannels;
        Filters = filters;
        Blocks = blocks;
        ImageSize = imageSize;
        var channels = inputChannels;
        var size = imageSize;
        for (var b = 0; b < blocks; b++)
        {
            Layout.Add($"block{b + 1}.conv.weight", filters, channels, 3, 3);
            Layout.Add($"block{b + 1}.conv.bias", filters);
            Layout.Add($"block{b + 1}.bn.weight", filters);
            Layout.Add($"block{b + 1}.bn.bias", filters);
            channels = filters;
            size /= 2;
            if (size == 0)
            {
                throw new ArgumentException($"{blocks} blocks of 2×2 pooling do not fit {imageSize}×{imageSize} images");
            }
        }

        FeatureSize = filters * size * size;
    }

    public int InputChannels { get; }

    public int Filters { get; }

    public int Blocks { get; }

    public int ImageSize { get; }

    /// <summary>Length of the output feature vector.</summary>
    public int FeatureSize { get; }

    /// <summary>The named parameters in flat-vector order.</summary>
    public ParameterLayout Layout { get; } = new();

    /// <summary>Kaiming-normal convolution weights, zero biases, batch-norm γ = 1 and β = 0, from <paramref name="seed"/>.</summary>
    public void Initialize<T>(Span<T> parameters, int seed)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (parameters.Length != Layout.Size)
        {
            throw new ArgumentException($"parameters has length {parameters.Length}, expected {Layout.Size}", nameof(parameters));
        }

        var random = new Random(seed);
        foreach (var entry in Layout.Entries)
        {
            var slice = parameters.Slice(entry.Offset, entry.Size);
            if (entry.Name.EndsWith(".conv.weight", StringComparison.Ordinal))
            {
                Initializers.KaimingNormal(slice, entry.Shape[1] * 9, random);
            }
            else if (entry.Name.EndsWith(".bn.weight", StringComparison.Ordinal))
            {
                Initializers.Constant(slice, 1.0);
            }
            else
            {
                Initializers.Constant(slice, 0.0);
            }
        }
    }

    /// <summary>
    /// Features [N, FeatureSize] of images [N, C, S, S]; <paramref name="parameters"/> bound in layout order. The
    /// convolution takes its bias itself (no separate pass over its output) and the block tail runs as one fused
    /// <see cref="Operations.BatchNormReluMaxPool2d{T}"/>.
    /// </summary>
    public Variable<T> Forward<T>(Graph<T> graph, IReadOnlyList<Variable<T>> parameters, Variable<T> images)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(images);
        if (parameters.Count != Layout.Entries.Count)
        {
            throw new ArgumentException($"ConvNet needs {Layout.Entries.Count} parameter tensors, got {parameters.Count}");
        }

        var h = images;
        for (var b = 0; b < Blocks; b++)
        {
            var conv = graph.Conv2d(h, parameters[4 * b], 1, 1, parameters[(4 * b) + 1]);
            h = graph.BatchNormReluMaxPool2d(conv, parameters[(4 * b) + 2], parameters[(4 * b) + 3]);
        }

        return graph.Flatten(h);
    }
}
