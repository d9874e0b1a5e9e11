using Bilevel.Problems;

namespace Bilevel.Data;

/// <summary>What <see cref="MiniBatchSampler"/> does with the last count mod batchSize samples of an epoch.</summary>
public enum LastBatchPolicy
{
    /// <summary>
    /// Skip them: every batch has exactly batchSize samples and an epoch has ⌊count / batchSize⌋ batches. The skipped
    /// samples differ from epoch to epoch because of the reshuffle. This is what the reference code of papers 002
    /// and 003 does (<c>batch_num = training_size // batch_size</c>) and PyTorch's <c>drop_last=True</c>.
    /// </summary>
    DropLast,

    /// <summary>Serve them as a smaller last batch: ⌈count / batchSize⌉ batches per epoch, every sample exactly once.</summary>
    KeepPartial,
}

/// <summary>
/// Seeds for independent random streams derived from one experiment seed, e.g. one sampler for the upper level
/// and one for the lower level: stream k of seed s gets SplitMix64(s·2³² + k) folded to 31 bits, so different
/// streams (or seeds) start System.Random from unrelated states.
/// </summary>
public static class SeedStreams
{
    /// <summary>Stream index conventionally used for lower-level (inner) mini-batches.</summary>
    public const int Lower = 0;

    /// <summary>Stream index conventionally used for upper-level (outer) mini-batches.</summary>
    public const int Upper = 1;

    /// <summary>The seed of stream <paramref name="stream"/> of <paramref name="seed"/>, in [0, int.MaxValue].</summary>
    public static int Derive(int seed, int stream)
    {
        var z = ((ulong)(uint)seed << 32) | (uint)stream;
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return (int)(z >> 33);
    }
}

/// <summary>
/// Mini-batches of sample indices over epochs: at the start of every epoch the index permutation is reshuffled in
/// place (Fisher–Yates, continuing from the previous epoch's order), then cut into consecutive batches of
/// <see cref="BatchSize"/>. One seeded <see cref="Random"/> per sampler, drawn sequentially, so the same seed gives
/// the same batches; use one sampler per stream (<see cref="SeedStreams.Derive"/>) for independent upper- and
/// lower-level batches.
/// </summary>
/// <remarks>
/// No allocation per batch: <see cref="Next"/> returns a view of the internal permutation, and
/// <see cref="NextBatch"/> copies into a buffer allocated once; both are valid until the next call.
/// </remarks>
public sealed class MiniBatchSampler
{
    private readonly int[] _order;
    private readonly int[] _fullBuffer;
    private readonly int[] _partialBuffer;
    private readonly int _seed;
    private Random _rng;
    private int _position;

    /// <summary>Batches over samples 0…count−1.</summary>
    /// <param name="count">The number of samples.</param>
    /// <param name="batchSize">Samples per batch (1…count).</param>
    /// <param name="seed">Seed of this sampler's random stream.</param>
    /// <param name="policy">What to do with count mod batchSize leftover samples per epoch.</param>
    /// <exception cref="ArgumentOutOfRangeException">count &lt; 1 or batchSize outside 1…count.</exception>
    public MiniBatchSampler(int count, int batchSize, int seed, LastBatchPolicy policy = LastBatchPolicy.DropLast)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        if (batchSize > count)
        {
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, $"the batch size exceeds the {count} samples");
        }

        if (policy is not (LastBatchPolicy.DropLast or LastBatchPolicy.KeepPartial))
        {
            throw new ArgumentOutOfRangeException(nameof(policy), policy, "unknown last-batch policy");
        }

        Count = count;
        BatchSize = batchSize;
        Policy = policy;
        _seed = seed;
        _order = new int[count];
        _fullBuffer = new int[batchSize];
        var remainder = count % batchSize;
        _partialBuffer = policy == LastBatchPolicy.KeepPartial && remainder > 0 ? new int[remainder] : [];
        BatchesPerEpoch = policy == LastBatchPolicy.DropLast ? count / batchSize : (count + batchSize - 1) / batchSize;
        _rng = new Random(seed);
        Reset();
    }

    /// <summary>The number of samples.</summary>
    public int Count { get; }

    /// <summary>Samples per (full) batch.</summary>
    public int BatchSize { get; }

    /// <summary>The last-batch policy.</summary>
    public LastBatchPolicy Policy { get; }

    /// <summary>Batches in every epoch.</summary>
    public int BatchesPerEpoch { get; }

    /// <summary>The epoch of the most recent batch (0 for the first); −1 before the first call.</summary>
    public int Epoch { get; private set; }

    /// <summary>The position of the most recent batch within its epoch (0…BatchesPerEpoch−1); −1 before the first call.</summary>
    public int BatchInEpoch { get; private set; }

    /// <summary>The indices of the next batch, a view of the internal order valid until the next call.</summary>
    public ReadOnlySpan<int> Next()
    {
        if (Epoch < 0 || BatchInEpoch == BatchesPerEpoch - 1)
        {
            Splits.Shuffle(_order, _rng);
            Epoch++;
            BatchInEpoch = 0;
            _position = 0;
        }
        else
        {
            BatchInEpoch++;
        }

        var size = Math.Min(BatchSize, Count - _position);
        var batch = _order.AsSpan(_position, size);
        _position += size;
        return batch;
    }

    /// <summary>
    /// The next batch as a <see cref="Batch"/> over a buffer the sampler reuses: its contents change at the next
    /// call, and batches of equal size compare equal (they share the buffer).
    /// </summary>
    public Batch NextBatch()
    {
        var indices = Next();
        var buffer = indices.Length == BatchSize ? _fullBuffer : _partialBuffer;
        indices.CopyTo(buffer);
        return Batch.Of(buffer);
    }

    /// <summary>Back to the state right after construction: the same seed gives the same batches again.</summary>
    public void Reset()
    {
        _rng = new Random(_seed);
        for (var i = 0; i < _order.Length; i++)
        {
            _order[i] = i;
        }

        Epoch = -1;
        BatchInEpoch = -1;
        _position = 0;
    }
}
