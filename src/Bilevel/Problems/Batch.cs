namespace Bilevel.Problems;

/// <summary>
/// Selects the samples an oracle call averages over: the full data set (the default value, used by all
/// deterministic methods) or a mini-batch given by sample indices. Problems without samples treat every
/// batch as the full one.
/// </summary>
public readonly struct Batch : IEquatable<Batch>
{
    private readonly int[]? _indices;

    private Batch(int[] indices) => _indices = indices;

    /// <summary>The full batch: every sample, as deterministic methods use.</summary>
    public static Batch Full => default;

    /// <summary>True for the full batch.</summary>
    public bool IsFull => _indices is null;

    /// <summary>The selected sample indices; empty for the full batch.</summary>
    public ReadOnlySpan<int> Indices => _indices;

    /// <summary>A mini-batch of the given sample indices (not copied; do not change the array while in use).</summary>
    /// <exception cref="ArgumentException">The index list is empty.</exception>
    public static Batch Of(int[] indices)
    {
        ArgumentNullException.ThrowIfNull(indices);
        if (indices.Length == 0)
        {
            throw new ArgumentException("a mini-batch needs at least one sample index", nameof(indices));
        }

        return new Batch(indices);
    }

    /// <summary>The number of samples this batch touches in a data set of <paramref name="sampleCount"/> samples.</summary>
    public int Count(int sampleCount) => _indices?.Length ?? sampleCount;

    /// <summary>Throws when an index falls outside a data set of <paramref name="sampleCount"/> samples.</summary>
    public void Validate(int sampleCount, string role)
    {
        if (_indices is null)
        {
            return;
        }

        foreach (var index in _indices)
        {
            if ((uint)index >= (uint)sampleCount)
            {
                throw new ArgumentException($"{role} batch index {index} is outside the {sampleCount} samples of the data set");
            }
        }
    }

    public bool Equals(Batch other) => ReferenceEquals(_indices, other._indices);

    public override bool Equals(object? obj) => obj is Batch other && Equals(other);

    public override int GetHashCode() => _indices?.GetHashCode() ?? 0;

    public static bool operator ==(Batch left, Batch right) => left.Equals(right);

    public static bool operator !=(Batch left, Batch right) => !left.Equals(right);

    public override string ToString() => IsFull ? "full batch" : $"mini-batch of {_indices!.Length}";
}
