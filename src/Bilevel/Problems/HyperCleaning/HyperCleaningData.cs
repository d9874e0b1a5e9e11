using Bilevel.Data;

namespace Bilevel.Problems.HyperCleaning;

/// <summary>One split: features (count × d, row-major, float32, last column 1 for the bias) and labels.</summary>
public sealed record HyperCleaningSplit(float[] Features, int[] Labels)
{
    /// <summary>Rows.</summary>
    public int Count => Labels.Length;
}

/// <summary>
/// The data of a hyper-cleaning experiment, with everything needed to reproduce it: which images went to which
/// split, the corrupted training labels, the corruption mask and the seed.
/// </summary>
/// <param name="Name">Dataset name (e.g. "Fashion-MNIST").</param>
/// <param name="Train">Training split with corrupted labels.</param>
/// <param name="Validation">Clean validation split.</param>
/// <param name="Test">Clean test split.</param>
/// <param name="TrueTrainLabels">The training labels before corruption.</param>
/// <param name="CorruptedMask">True where a training label was changed.</param>
/// <param name="TrainIndices">Indices of the training rows in the source image set(s).</param>
/// <param name="ValidationIndices">Indices of the validation rows.</param>
/// <param name="TestIndices">Indices of the test rows.</param>
/// <param name="ClassCount">C.</param>
/// <param name="FeatureCount">d (pixels + 1 bias column).</param>
/// <param name="CorruptionRate">p.</param>
/// <param name="Seed">Seed of the split and the corruption.</param>
public sealed record HyperCleaningData(
    string Name,
    HyperCleaningSplit Train,
    HyperCleaningSplit Validation,
    HyperCleaningSplit Test,
    int[] TrueTrainLabels,
    bool[] CorruptedMask,
    int[] TrainIndices,
    int[] ValidationIndices,
    int[] TestIndices,
    int ClassCount,
    int FeatureCount,
    double CorruptionRate,
    int Seed)
{
    /// <summary>
    /// Splits <paramref name="images"/> into disjoint seeded train/validation/test sets of the given sizes
    /// (<see cref="Splits.Shuffled"/>), corrupts the training labels ((y + U{1..C−1}) mod C on exactly ⌊p·n⌉ examples,
    /// or independently with probability p) and appends a bias column of ones. Pixels are used as stored
    /// (callers normalise first, e.g. <see cref="PixelNormalization.StandardizeMnist"/>).
    /// </summary>
    public static HyperCleaningData Create(string name, LabeledImageSet images, int trainCount, int validationCount, int testCount,
        double corruptionRate, CorruptionMode mode, int seed)
    {
        ArgumentNullException.ThrowIfNull(images);
        var parts = Splits.Shuffled(images.Count, [trainCount, validationCount, testCount], seed);
        return Create(name, images, parts[0], images, parts[1], images, parts[2], corruptionRate, mode, seed);
    }

    /// <summary>As <see cref="Create(string, LabeledImageSet, int, int, int, double, CorruptionMode, int)"/> with explicit index lists into (possibly different) image sets.</summary>
    public static HyperCleaningData Create(string name, LabeledImageSet trainSource, int[] trainIndices, LabeledImageSet validationSource, int[] validationIndices,
        LabeledImageSet testSource, int[] testIndices, double corruptionRate, CorruptionMode mode, int seed)
    {
        ArgumentNullException.ThrowIfNull(trainSource);
        ArgumentNullException.ThrowIfNull(validationSource);
        ArgumentNullException.ThrowIfNull(testSource);
        var train = Split(trainSource, trainIndices);
        var corrupted = LabelCorruption.Corrupt(train.Labels, trainSource.ClassCount, corruptionRate, mode, Data.SeedStreams.Derive(seed, 77));
        return new HyperCleaningData(
            name,
            train with { Labels = corrupted.Labels },
            Split(validationSource, validationIndices),
            Split(testSource, testIndices),
            corrupted.TrueLabels,
            corrupted.Mask,
            trainIndices,
            validationIndices,
            testIndices,
            trainSource.ClassCount,
            trainSource.PixelsPerImage + 1,
            corruptionRate,
            seed);
    }

    private static HyperCleaningSplit Split(LabeledImageSet source, int[] indices)
    {
        ArgumentNullException.ThrowIfNull(indices);
        var d = source.PixelsPerImage + 1;
        var features = new float[indices.Length * d];
        var labels = new int[indices.Length];
        for (var r = 0; r < indices.Length; r++)
        {
            source.Image(indices[r]).CopyTo(features.AsSpan(r * d, d - 1));
            features[(r * d) + d - 1] = 1;
            labels[r] = source.Labels[indices[r]];
        }

        return new HyperCleaningSplit(features, labels);
    }
}
