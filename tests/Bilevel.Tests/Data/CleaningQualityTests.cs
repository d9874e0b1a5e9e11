using Bilevel.Data;

namespace Bilevel.Tests.Data;

public sealed class CleaningQualityTests
{
    private static readonly double[] Weights = [0.1, 0.9, 0.2, 0.8, 0.4];
    private static readonly bool[] Mask = [true, false, false, true, true];

    [Fact]
    public void Evaluate_HandExample_CountsAndScores()
    {
        // Flagged (< 0.5): samples 0, 2, 4. Corrupted: 0, 3, 4. TP {0, 4}, FP {2}, FN {3}, TN {1}.
        var quality = CleaningQuality.Evaluate(Weights, Mask, threshold: 0.5);

        Assert.Equal(new CleaningQuality(2, 1, 1, 1), quality);
        Assert.Equal(2.0 / 3, quality.Precision, 15);
        Assert.Equal(2.0 / 3, quality.Recall, 15);
        Assert.Equal(2.0 / 3, quality.F1, 15);
        Assert.Equal(5, quality.Count);
    }

    [Fact]
    public void Evaluate_ThresholdIsStrict_EqualWeightNotFlagged()
    {
        var quality = CleaningQuality.Evaluate([0.5, 0.49], [true, true], threshold: 0.5);

        Assert.Equal(new CleaningQuality(1, 0, 1, 0), quality);
        Assert.Equal(1.0, quality.Precision);
        Assert.Equal(0.5, quality.Recall);
        Assert.Equal(2.0 / 3, quality.F1, 15);
    }

    [Fact]
    public void Evaluate_NothingFlagged_PrecisionAndF1Zero()
    {
        var quality = CleaningQuality.Evaluate([0.9, 0.8], [true, false], threshold: 0.5);

        Assert.Equal((0.0, 0.0, 0.0), (quality.Precision, quality.Recall, quality.F1));
    }

    [Fact]
    public void Auc_HandExample_FourOfSixPairs()
    {
        // Corrupted {0.1, 0.8, 0.4} vs clean {0.9, 0.2}: lower in 4 of the 6 pairs.
        Assert.Equal(4.0 / 6, CleaningQuality.Auc(Weights, Mask), 15);
    }

    [Fact]
    public void Auc_PerfectReversedAndTied_OneZeroHalf()
    {
        bool[] mask = [true, true, false, false];

        Assert.Equal(1.0, CleaningQuality.Auc([0.1, 0.2, 0.7, 0.9], mask));
        Assert.Equal(0.0, CleaningQuality.Auc([0.8, 0.9, 0.1, 0.2], mask));
        Assert.Equal(0.5, CleaningQuality.Auc([0.3, 0.3, 0.3, 0.3], mask));
    }

    [Fact]
    public void Auc_RandomWithTies_MatchesPairCount()
    {
        var rng = new Random(9);
        const int n = 400;
        var weights = new double[n];
        var mask = new bool[n];
        for (var i = 0; i < n; i++)
        {
            mask[i] = rng.NextDouble() < 0.3;
            weights[i] = Math.Round(rng.NextDouble() * 20 - (mask[i] ? 3 : 0)) / 20; // coarse grid → many ties
        }

        double wins = 0;
        long pairs = 0;
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                if (mask[i] && !mask[j])
                {
                    pairs++;
                    wins += weights[i] < weights[j] ? 1 : weights[i] == weights[j] ? 0.5 : 0;
                }
            }
        }

        Assert.Equal(wins / pairs, CleaningQuality.Auc(weights, mask), 12);
    }

    [Fact]
    public void Auc_OneClassMissing_NaN()
    {
        Assert.True(double.IsNaN(CleaningQuality.Auc([0.1, 0.2], [true, true])));
        Assert.True(double.IsNaN(CleaningQuality.Auc([0.1, 0.2], [false, false])));
    }

    [Fact]
    public void Evaluate_LengthMismatchOrNaN_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => CleaningQuality.Evaluate([0.1, 0.2], [true], 0.5));
        Assert.StartsWith("2 weights but 1 mask entries", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => CleaningQuality.Auc([0.1, double.NaN], [true, false]));
    }

    [Fact]
    public void Evaluate_OnCorruptionMask_OracleWeightsPerfect()
    {
        var truth = new int[1_000];
        var corrupted = LabelCorruption.Corrupt(truth, 10, 0.25, CorruptionMode.ExactCount, seed: 2);
        var weights = new double[truth.Length];
        for (var i = 0; i < weights.Length; i++)
        {
            weights[i] = corrupted.Mask[i] ? 0.01 : 0.99;
        }

        var quality = CleaningQuality.Evaluate(weights, corrupted.Mask, 0.5);

        Assert.Equal(new CleaningQuality(250, 0, 0, 750), quality);
        Assert.Equal(1.0, quality.F1);
        Assert.Equal(1.0, CleaningQuality.Auc(weights, corrupted.Mask));
    }
}
