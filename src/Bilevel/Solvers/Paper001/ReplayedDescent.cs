using Bilevel.Numerics;
using Bilevel.Problems;

namespace Bilevel.Solvers.Paper001;

/// <summary>
/// T lower (S)GD steps y_{t+1} = y_t − α ∇y g(x, y_t; B_t) whose mini-batches B_0 … B_{T−1} are drawn once and then
/// replayed at several upper points, so that finite differences y_T(x + μu) − y_T(x) compare the same stochastic map
/// (common random numbers). The inner solver of the evolution-strategy baselines ESJ and HOZOG (paper 001 §2.7).
/// Cost per <see cref="Run"/>: T ∇y g.
/// </summary>
public sealed class ReplayedDescent
{
    private readonly int[][] _indices;
    private readonly Batch[] _batches;
    private readonly double[] _gradient;

    /// <param name="steps">T.</param>
    /// <param name="batchSize">Samples per step (the source's batch size).</param>
    /// <param name="full">True when every batch is the full data.</param>
    /// <param name="lowerDimension">dy.</param>
    public ReplayedDescent(int steps, int batchSize, bool full, int lowerDimension)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(steps);
        _indices = new int[steps][];
        _batches = new Batch[steps];
        for (var t = 0; t < steps; t++)
        {
            _indices[t] = full ? [] : new int[batchSize];
            _batches[t] = full ? Batch.Full : Batch.Of(_indices[t]);
        }

        _gradient = new double[lowerDimension];
    }

    /// <summary>T.</summary>
    public int Steps => _batches.Length;

    /// <summary>Draws the T batches of this round from <paramref name="source"/> (copies their indices).</summary>
    public void Draw(BatchSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        for (var t = 0; t < _batches.Length; t++)
        {
            var batch = source.Next();
            if (!batch.IsFull)
            {
                batch.Indices.CopyTo(_indices[t]);
            }
        }
    }

    /// <summary>y_T from y_0 = <paramref name="start"/> at x, written to <paramref name="result"/>, on the drawn batches.</summary>
    public void Run(BilevelProblem problem, ReadOnlySpan<double> x, ReadOnlySpan<double> start, Span<double> result, double step)
    {
        ArgumentNullException.ThrowIfNull(problem);
        start.CopyTo(result);
        for (var t = 0; t < _batches.Length; t++)
        {
            problem.LowerGradientY(x, result, _gradient, _batches[t]);
            Vectors.Axpy(-step, _gradient, result);
        }
    }
}
