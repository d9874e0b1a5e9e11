using Bilevel.Data;
using Bilevel.Problems;

namespace Bilevel.Solvers;

/// <summary>
/// The explicit state of a run: the current iterates x (upper) and y (lower), the iteration counter and the seeded
/// random streams. Solvers derive from it to keep their own variables (momenta, linear-system iterates, …).
/// </summary>
public class SolverState
{
    private int _streams;

    public SolverState(SolverContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        Problem = context.Problem;
        X = context.UpperStart;
        Y = context.LowerStart;
        Seed = context.Seed;
        Random = new Random(SeedStreams.Derive(context.Seed, 1_000));
    }

    /// <summary>The problem being solved.</summary>
    public BilevelProblem Problem { get; }

    /// <summary>The current upper-level iterate x.</summary>
    public double[] X { get; }

    /// <summary>The current lower-level iterate y.</summary>
    public double[] Y { get; }

    /// <summary>The run's seed.</summary>
    public int Seed { get; }

    /// <summary>Iterations completed.</summary>
    public long Iteration { get; internal set; }

    /// <summary>Updates of x so far (equals <see cref="Iteration"/> for most methods).</summary>
    public long UpperSteps { get; set; }

    /// <summary>A random stream for directions and other draws that are not mini-batches (seeded from the run's seed).</summary>
    public Random Random { get; }

    /// <summary>
    /// Named counts or measurements a solver keeps about its own run (for example how often a projection was active),
    /// read once when the run ends and stored in <see cref="Traces.SolverTrace.Diagnostics"/>; empty unless a solver
    /// overrides it.
    /// </summary>
    public virtual IReadOnlyDictionary<string, double> Diagnostics => EmptyDiagnostics;

    private static readonly IReadOnlyDictionary<string, double> EmptyDiagnostics = new Dictionary<string, double>();

    /// <summary>
    /// A new mini-batch stream over the lower-level samples: each call gets its own independent seeded stream, so
    /// create the streams in a fixed order in <c>CreateState</c>. A batch size of 0, or one ≥ the sample count,
    /// gives full batches.
    /// </summary>
    public BatchSource LowerBatches(int batchSize) => new(Problem.LowerSampleCount, batchSize, SeedStreams.Derive(Seed, (2 * _streams++) + SeedStreams.Lower));

    /// <summary>A new mini-batch stream over the upper-level samples (see <see cref="LowerBatches"/>).</summary>
    public BatchSource UpperBatches(int batchSize) => new(Problem.UpperSampleCount, batchSize, SeedStreams.Derive(Seed, (2 * _streams++) + SeedStreams.Upper));
}

/// <summary>
/// Mini-batches for one role in a solver (e.g. "the samples of the HVP"): full batches when the batch size is 0
/// or covers every sample, otherwise a <see cref="MiniBatchSampler"/> with its own buffer.
/// </summary>
public sealed class BatchSource
{
    private readonly MiniBatchSampler? _sampler;

    public BatchSource(int sampleCount, int batchSize, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(batchSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sampleCount);
        BatchSize = batchSize == 0 || batchSize >= sampleCount ? sampleCount : batchSize;
        _sampler = BatchSize == sampleCount ? null : new MiniBatchSampler(sampleCount, BatchSize, seed);
    }

    /// <summary>Samples per batch.</summary>
    public int BatchSize { get; }

    /// <summary>True when every batch is the full data set.</summary>
    public bool IsFull => _sampler is null;

    /// <summary>The next batch (valid until the next call on this source).</summary>
    public Batch Next() => _sampler?.NextBatch() ?? Batch.Full;
}
