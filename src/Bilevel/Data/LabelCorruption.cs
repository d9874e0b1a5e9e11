namespace Bilevel.Data;

/// <summary>How many samples <see cref="LabelCorruption"/> corrupts.</summary>
public enum CorruptionMode
{
    /// <summary>
    /// Exactly round(p·n) samples (midpoint away from zero), chosen uniformly without replacement. This is what the
    /// reference code of papers 002 and 003 does (<c>nositify</c> in stocBiO's and MRVRBO's <c>mnist_exp.py</c>:
    /// <c>int(p·n)</c> indices from <c>randperm</c>), and what paper 000's text describes ("randomly perturb the label
    /// of γ percentage of images"). The reference truncates instead of rounding; both agree whenever p·n is an
    /// integer, as in every paper setting (p ∈ {0.1, …, 0.3} of 20,000; γ = 0.8 of 5,000), and rounding avoids
    /// int(0.7·10) = 6 from floating-point error.
    /// </summary>
    ExactCount,

    /// <summary>
    /// Each sample independently with probability p (a Binomial(n, p) count), as the reference code does for the
    /// single-sample methods BSA and TTSA (a U[0,1) draw per sample, corrupted when it is below p).
    /// </summary>
    Bernoulli,
}

/// <summary>The outcome of <see cref="LabelCorruption.Corrupt(ReadOnlySpan{int}, int, double, CorruptionMode, int)"/>.</summary>
public sealed class CorruptedLabels
{
    internal CorruptedLabels(int[] labels, int[] trueLabels, bool[] mask, int corruptedCount, int classCount, double rate, CorruptionMode mode)
    {
        Labels = labels;
        TrueLabels = trueLabels;
        Mask = mask;
        CorruptedCount = corruptedCount;
        ClassCount = classCount;
        Rate = rate;
        Mode = mode;
    }

    /// <summary>The labels to train on: the true label where <see cref="Mask"/> is false, a different class where it is true.</summary>
    public int[] Labels { get; }

    /// <summary>A copy of the labels before corruption.</summary>
    public int[] TrueLabels { get; }

    /// <summary>True for the corrupted samples; exactly the samples whose label changed.</summary>
    public bool[] Mask { get; }

    /// <summary>The number of corrupted samples.</summary>
    public int CorruptedCount { get; }

    /// <summary>The number of classes C.</summary>
    public int ClassCount { get; }

    /// <summary>The corruption rate p that was asked for.</summary>
    public double Rate { get; }

    /// <summary>How the corrupted samples were chosen.</summary>
    public CorruptionMode Mode { get; }

    /// <summary>The realised fraction of corrupted samples.</summary>
    public double CorruptedFraction => Labels.Length == 0 ? 0 : (double)CorruptedCount / Labels.Length;
}

/// <summary>
/// Label noise for data hyper-cleaning (papers 000 §6.2, 002 App. A.2, 003 §4.1): a corrupted sample of a C-class
/// task gets label (y + k) mod C with k uniform on {1, …, C−1}, so it always differs from y and is uniform over the
/// other classes; for C = 2 this is a flip. This is the reference code's rule
/// (<c>(labels + randint(1, 10)) % n_class</c> in stocBiO's and MRVRBO's <c>nositify</c>).
/// </summary>
/// <remarks>
/// <para>Draws (one <see cref="Random"/>, sequential, so a seed fixes the outcome):
/// <see cref="CorruptionMode.ExactCount"/> picks the k = round(p·n) samples by a partial Fisher–Yates shuffle
/// (draw j = Next(i, n) for i = 0…k−1), then draws the offsets Next(1, C) in that pick order;
/// <see cref="CorruptionMode.Bernoulli"/> draws, for each sample in order, NextDouble() and, when it is below p,
/// the offset Next(1, C).</para>
/// <para>Not reproduced from the reference code: its <c>nositify</c> is called on every mini-batch and writes into
/// the cached label tensors, so noise is re-drawn (and accumulates) during training. Here corruption happens once,
/// before training, as all three papers describe it.</para>
/// </remarks>
public static class LabelCorruption
{
    /// <summary>The number of samples <see cref="CorruptionMode.ExactCount"/> corrupts: round(p·n), midpoints away from zero.</summary>
    public static int ExactCount(int sampleCount, double rate)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sampleCount);
        CheckRate(rate);
        return (int)Math.Round(rate * sampleCount, MidpointRounding.AwayFromZero);
    }

    /// <summary>Corrupts labels with a fresh <see cref="Random"/> seeded by <paramref name="seed"/>.</summary>
    /// <exception cref="ArgumentException">classCount &lt; 2, p outside [0, 1], or a label outside [0, C).</exception>
    public static CorruptedLabels Corrupt(ReadOnlySpan<int> trueLabels, int classCount, double rate, CorruptionMode mode, int seed) =>
        Corrupt(trueLabels, classCount, rate, mode, new Random(seed));

    /// <summary>Corrupts labels drawing from <paramref name="rng"/> (see the class remarks for the draw order).</summary>
    /// <param name="trueLabels">Labels in [0, classCount); not changed.</param>
    /// <param name="classCount">The number of classes C ≥ 2 (2 for a binary task: corruption is a flip).</param>
    /// <param name="rate">The corruption rate p in [0, 1].</param>
    /// <param name="mode">Exactly round(p·n) samples, or each sample with probability p.</param>
    /// <param name="rng">The random source.</param>
    /// <exception cref="ArgumentException">classCount &lt; 2, p outside [0, 1], or a label outside [0, C).</exception>
    public static CorruptedLabels Corrupt(ReadOnlySpan<int> trueLabels, int classCount, double rate, CorruptionMode mode, Random rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        ArgumentOutOfRangeException.ThrowIfLessThan(classCount, 2);
        CheckRate(rate);
        var n = trueLabels.Length;
        for (var i = 0; i < n; i++)
        {
            if ((uint)trueLabels[i] >= (uint)classCount)
            {
                throw new ArgumentException($"label {trueLabels[i]} of sample {i} is outside 0–{classCount - 1}", nameof(trueLabels));
            }
        }

        var truth = trueLabels.ToArray();
        var labels = trueLabels.ToArray();
        var mask = new bool[n];
        var corrupted = 0;
        switch (mode)
        {
            case CorruptionMode.ExactCount:
                {
                    var k = ExactCount(n, rate);
                    var order = new int[n];
                    for (var i = 0; i < n; i++)
                    {
                        order[i] = i;
                    }

                    for (var i = 0; i < k; i++)
                    {
                        var j = rng.Next(i, n);
                        (order[i], order[j]) = (order[j], order[i]);
                    }

                    for (var i = 0; i < k; i++)
                    {
                        var s = order[i];
                        labels[s] = (truth[s] + rng.Next(1, classCount)) % classCount;
                        mask[s] = true;
                    }

                    corrupted = k;
                    break;
                }

            case CorruptionMode.Bernoulli:
                for (var i = 0; i < n; i++)
                {
                    if (rng.NextDouble() < rate)
                    {
                        labels[i] = (truth[i] + rng.Next(1, classCount)) % classCount;
                        mask[i] = true;
                        corrupted++;
                    }
                }

                break;

            default:
                throw new ArgumentOutOfRangeException(nameof(mode), mode, "unknown corruption mode");
        }

        return new CorruptedLabels(labels, truth, mask, corrupted, classCount, rate, mode);
    }

    private static void CheckRate(double rate)
    {
        if (!(rate >= 0 && rate <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(rate), rate, "the corruption rate must lie in [0, 1]");
        }
    }
}
