namespace Bilevel.Data;

/// <summary>
/// How well learned sample weights separate corrupted from clean samples in data hyper-cleaning: a sample is flagged
/// as corrupted when its weight is strictly below a threshold (e.g. σ(λ) &lt; 0.5, i.e. λ &lt; 0), and the flags are
/// compared with the corruption mask. None of papers 000, 002 and 003 reports these numbers (they plot losses); they
/// are the standard cleaning metrics (Franceschi et al. 2017 report F1).
/// </summary>
/// <param name="TruePositives">Corrupted samples flagged.</param>
/// <param name="FalsePositives">Clean samples flagged.</param>
/// <param name="FalseNegatives">Corrupted samples not flagged.</param>
/// <param name="TrueNegatives">Clean samples not flagged.</param>
public readonly record struct CleaningQuality(int TruePositives, int FalsePositives, int FalseNegatives, int TrueNegatives)
{
    /// <summary>TP / (TP + FP): the fraction of flagged samples that are corrupted; 0 when nothing is flagged.</summary>
    public double Precision => Ratio(TruePositives, TruePositives + FalsePositives);

    /// <summary>TP / (TP + FN): the fraction of corrupted samples flagged; 0 when nothing is corrupted.</summary>
    public double Recall => Ratio(TruePositives, TruePositives + FalseNegatives);

    /// <summary>2·TP / (2·TP + FP + FN), the harmonic mean of precision and recall; 0 when both are 0.</summary>
    public double F1 => Ratio(2 * TruePositives, (2 * TruePositives) + FalsePositives + FalseNegatives);

    /// <summary>The number of samples.</summary>
    public int Count => TruePositives + FalsePositives + FalseNegatives + TrueNegatives;

    /// <summary>Counts flags (weight &lt; threshold) against the mask (true = corrupted).</summary>
    /// <exception cref="ArgumentException">The spans differ in length or a weight is NaN.</exception>
    public static CleaningQuality Evaluate(ReadOnlySpan<double> weights, ReadOnlySpan<bool> corruptedMask, double threshold)
    {
        CheckLengths(weights, corruptedMask);
        int tp = 0, fp = 0, fn = 0, tn = 0;
        for (var i = 0; i < weights.Length; i++)
        {
            var flagged = weights[i] < threshold;
            if (corruptedMask[i])
            {
                if (flagged)
                {
                    tp++;
                }
                else
                {
                    fn++;
                }
            }
            else if (flagged)
            {
                fp++;
            }
            else
            {
                tn++;
            }
        }

        return new CleaningQuality(tp, fp, fn, tn);
    }

    /// <summary>
    /// The area under the ROC curve of "low weight means corrupted": the probability that a random corrupted
    /// sample has a lower weight than a random clean one, ties counting one half (Mann–Whitney U / (n₊·n₋)).
    /// 1 is perfect separation, 0.5 chance. NaN when there are no corrupted or no clean samples.
    /// </summary>
    /// <exception cref="ArgumentException">The spans differ in length or a weight is NaN.</exception>
    public static double Auc(ReadOnlySpan<double> weights, ReadOnlySpan<bool> corruptedMask)
    {
        CheckLengths(weights, corruptedMask);
        var n = weights.Length;
        var keys = weights.ToArray();
        var clean = new bool[n];
        long cleanCount = 0;
        for (var i = 0; i < n; i++)
        {
            clean[i] = !corruptedMask[i];
            cleanCount += clean[i] ? 1 : 0;
        }

        var corruptedCount = n - cleanCount;
        if (cleanCount == 0 || corruptedCount == 0)
        {
            return double.NaN;
        }

        Array.Sort(keys, clean);

        // Rank ascending by weight (1-based, ties share their mean rank); U of the clean samples counts the
        // (clean, corrupted) pairs where the clean weight is larger.
        var cleanRankSum = 0.0;
        var start = 0;
        while (start < n)
        {
            var end = start + 1;
            while (end < n && keys[end] == keys[start])
            {
                end++;
            }

            var meanRank = (start + 1 + end) / 2.0;
            for (var i = start; i < end; i++)
            {
                if (clean[i])
                {
                    cleanRankSum += meanRank;
                }
            }

            start = end;
        }

        var u = cleanRankSum - (cleanCount * (cleanCount + 1) / 2.0);
        return u / ((double)cleanCount * corruptedCount);
    }

    private static double Ratio(int numerator, int denominator) => denominator == 0 ? 0 : (double)numerator / denominator;

    private static void CheckLengths(ReadOnlySpan<double> weights, ReadOnlySpan<bool> corruptedMask)
    {
        if (weights.Length != corruptedMask.Length)
        {
            throw new ArgumentException($"{weights.Length} weights but {corruptedMask.Length} mask entries; they must match", nameof(corruptedMask));
        }

        for (var i = 0; i < weights.Length; i++)
        {
            if (double.IsNaN(weights[i]))
            {
                throw new ArgumentException($"weight {i} is NaN", nameof(weights));
            }
        }
    }
}
