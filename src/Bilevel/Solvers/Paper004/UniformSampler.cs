namespace Bilevel.Solvers.Paper004;

/// <summary>
/// Draws <see cref="BatchSize"/> distinct sample indices uniformly from 0…n−1, independently at every call (SAGA's
/// sampling, with replacement across iterations), unlike <see cref="Data.MiniBatchSampler"/>, which walks through a
/// shuffled epoch. Partial Fisher–Yates on a persistent permutation; seeded; no allocation per draw.
/// </summary>
public sealed class UniformSampler
{
    private readonly int[] _order;
    private readonly Random _random;

    /// <summary>A sampler of <paramref name="batchSize"/> of <paramref name="count"/> indices (batch sizes ≥ count give every index).</summary>
    public UniformSampler(int count, int batchSize, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        BatchSize = Math.Min(batchSize, count);
        _order = new int[count];
        for (var i = 0; i < count; i++)
        {
            _order[i] = i;
        }

        _random = new Random(seed);
    }

    /// <summary>Indices per draw.</summary>
    public int BatchSize { get; }

    /// <summary>The next draw (valid until the next call).</summary>
    public ReadOnlySpan<int> Next()
    {
        if (BatchSize == _order.Length)
        {
            return _order;
        }

        for (var p = 0; p < BatchSize; p++)
        {
            var q = _random.Next(p, _order.Length);
            (_order[p], _order[q]) = (_order[q], _order[p]);
        }

        return _order.AsSpan(0, BatchSize);
    }
}
